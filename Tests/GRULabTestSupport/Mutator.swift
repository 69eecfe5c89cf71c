import Foundation
import GRULabTensor

/// Random edits of valid inputs, repeatable from a seed: the mutations a fuzzer makes, without
/// its coverage guidance, for fuzz tests of a fixed number of inputs (docs/reliability.md).
///
/// Each mutation applies one to four edits: flip a bit, set a byte to one a parser treats
/// specially, delete, duplicate or repeat a range (repeating `[` a thousand times nests a
/// thousand levels), insert a token of the dictionary, truncate, or splice in the tail of
/// another input.
public struct Mutator {
    public var generator: SeededGenerator
    public let dictionary: [[UInt8]]

    /// Bytes with a meaning to YAML or JSON, NUL, and bytes that are never valid UTF-8.
    static let specialBytes: [UInt8] = Array("\n :-[]{},\"'\\&*!#|>?%09.~".utf8) + [0x00, 0x09, 0x80, 0xC0, 0xFF]

    public init(seed: UInt64, dictionary: [[UInt8]]) {
        generator = SeededGenerator(seed: seed)
        self.dictionary = dictionary
    }

    /// A random number in `range`.
    public mutating func integer(_ range: ClosedRange<Int>) -> Int {
        Int.random(in: range, using: &generator)
    }

    /// A mutation of `input`; `others` are inputs to splice from.
    public mutating func mutate(_ input: [UInt8], splicingWith others: [[UInt8]] = []) -> [UInt8] {
        var bytes = input
        for _ in 0..<integer(1...4) { edit(&bytes, others: others) }
        return bytes
    }

    private mutating func edit(_ bytes: inout [UInt8], others: [[UInt8]]) {
        let position = integer(0...bytes.count)
        let range = position..<min(bytes.count, position + integer(1...16))
        switch integer(0...7) {
        case 0 where position < bytes.count:
            bytes[position] ^= 1 << UInt8(integer(0...7))
        case 1 where position < bytes.count:
            bytes[position] = Self.specialBytes.randomElement(using: &generator)!
        case 2:
            bytes.removeSubrange(range)
        case 3:
            bytes.insert(contentsOf: Array(bytes[range]), at: integer(0...bytes.count))
        case 4:
            let piece = range.isEmpty ? [Self.specialBytes.randomElement(using: &generator)!] : Array(bytes[range])
            let times = [2, 10, 100, 1000].randomElement(using: &generator)!
            bytes.insert(contentsOf: Array(repeating: piece, count: times).joined(), at: position)
        case 5 where !dictionary.isEmpty:
            bytes.insert(contentsOf: dictionary.randomElement(using: &generator)!, at: position)
        case 6:
            bytes.removeSubrange(position...)
        case 7 where !others.isEmpty:
            let other = others.randomElement(using: &generator)!
            bytes = Array(bytes[..<position]) + other[integer(0...other.count)...]
        default:
            bytes.insert(Self.specialBytes.randomElement(using: &generator)!, at: position)
        }
    }
}

/// The tokens of a libFuzzer dictionary file (`"token"` a line, `\xNN`, `\\` and `\"`
/// escapes, `#` comments): the fuzzer's and the fuzz tests' shared vocabulary.
public enum FuzzDictionary {
    /// The dictionary `Fuzz/dictionaries/<name>.dict` of the repository.
    public static func load(_ name: String) throws -> [[UInt8]] {
        let url = repositoryRoot.appendingPathComponent("Fuzz/dictionaries/\(name).dict")
        return try String(contentsOf: url, encoding: .utf8).split(separator: "\n").compactMap(token)
    }

    /// The repository, from this file's place in it.
    public static let repositoryRoot = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
        .deletingLastPathComponent().deletingLastPathComponent()

    static func token(_ line: Substring) -> [UInt8]? {
        guard let open = line.firstIndex(of: "\""), let close = line.lastIndex(of: "\""), open < close,
              !line.hasPrefix("#") else { return nil }
        var bytes: [UInt8] = []
        var characters = Array(line[line.index(after: open)..<close].utf8)[...]
        while let byte = characters.popFirst() {
            guard byte == UInt8(ascii: "\\"), let next = characters.popFirst() else {
                bytes.append(byte)
                continue
            }
            if next == UInt8(ascii: "x"), characters.count >= 2,
               let value = UInt8(String(decoding: characters.prefix(2), as: UTF8.self), radix: 16) {
                bytes.append(value)
                characters.removeFirst(2)
            } else {
                bytes.append(next)
            }
        }
        return bytes
    }
}
