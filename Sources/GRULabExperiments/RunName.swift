import Foundation

/// How a run of a sweep is named from its swept values, safely as a file name.
///
/// The rule (docs/experiments.md, "Run names"):
/// 1. One `label=value` a sweep axis, in axis order, joined by `,`:
///    `cell=gru,seq_len=100,seed=1`. The label is the key's last component (`cell` for
///    `model.cell`), or the whole path when two axes share a last component.
/// 2. In values, every character but ASCII letters, digits, `.`, `_`, `+`, `-` becomes `_`,
///    and `..` becomes `__`, so that a name never holds `/`, NUL or a parent reference.
/// 3. A value longer than 32 characters keeps its first 23 and gets `~` and 8 hex digits of
///    the FNV-1a hash of the original value; so does a name longer than 200 characters.
/// 4. A name equal to an earlier run's (two values that rule 2 maps alike) gets `~` and the
///    run's index appended.
/// 5. An experiment without a sweep has one run, named `run` unless the `run` key names it.
public enum RunName {
    /// Longest name: well under the 255 bytes of common file systems, leaving room for `.h5`.
    public static let maximumLength = 200
    static let maximumValueLength = 32

    /// Names for the runs of a grid, given each run's swept values (path and value text).
    static func names(for runs: [[(path: String, value: String)]]) -> [String] {
        guard let first = runs.first, !first.isEmpty else { return runs.map { _ in "run" } }
        let paths = first.map(\.path)
        let leaves = paths.map { String($0.split(separator: ".").last!) }
        let labels = zip(paths, leaves).map { path, leaf in leaves.filter { $0 == leaf }.count > 1 ? path : leaf }
        var used = Set<String>()
        return runs.enumerated().map { index, values in
            var name = zip(labels, values).map { "\($0)=\(sanitized($1.value))" }.joined(separator: ",")
            if name.count > maximumLength { name = truncated(name, to: maximumLength) }
            if used.contains(name) { name += "~\(index)" }
            used.insert(name)
            return name
        }
    }

    /// A value with rules 2 and 3 applied.
    static func sanitized(_ value: String) -> String {
        var text = String(String.UnicodeScalarView(value.unicodeScalars.map {
            isWordCharacter($0) || $0 == "+" ? $0 : "_"
        }))
        while text.contains("..") { text = text.replacingOccurrences(of: "..", with: "__") }
        return text.count > maximumValueLength ? truncated(text, to: maximumValueLength, hashing: value) : text
    }

    /// The first `length - 9` characters, `~`, 8 hex digits of the hash of `original`.
    private static func truncated(_ text: String, to length: Int, hashing original: String? = nil) -> String {
        String(text.prefix(length - 9)) + "~" + hex8(fnv1a(original ?? text))
    }

    /// ASCII letters, digits, `.`, `_`, `-`.
    static func isWordCharacter(_ c: Unicode.Scalar) -> Bool {
        switch c {
        case "a"..."z", "A"..."Z", "0"..."9", ".", "_", "-": true
        default: false
        }
    }

    /// Whether a name given in a file (the `run` key) is safe as a file name: the characters
    /// generated names use, no `..`, not starting with `.`, not too long.
    static func isSafe(_ name: String) -> Bool {
        !name.isEmpty && name.count <= maximumLength && !name.hasPrefix(".") && !name.contains("..")
            && name.unicodeScalars.allSatisfy { isWordCharacter($0) || "+=,~".unicodeScalars.contains($0) }
    }

    /// FNV-1a, 64 bits: stable across processes, unlike `Hasher`.
    static func fnv1a(_ text: String) -> UInt64 {
        var hash: UInt64 = 0xcbf2_9ce4_8422_2325
        for byte in text.utf8 {
            hash = (hash ^ UInt64(byte)) &* 0x0000_0100_0000_01b3
        }
        return hash
    }

    private static func hex8(_ value: UInt64) -> String {
        let digits = String(value >> 32, radix: 16)
        return String(repeating: "0", count: 8 - digits.count) + digits
    }
}
