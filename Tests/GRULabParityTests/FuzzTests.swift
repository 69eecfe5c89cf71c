import Foundation
import GRULabParity
import GRULabTestSupport
import Testing

/// Fuzzing of the fixture reader and the check with a fixed number of inputs: mutated bytes of
/// the shipped fixtures, and fixtures whose JSON tree was edited (sizes changed, keys deleted,
/// values of the wrong type, arrays of another shape, deep nesting). Every input must be
/// checked or end in a ``ParityError`` (the only error the reader and the check
/// can throw) naming the file (docs/reliability.md).
@Suite struct FuzzTests {
    static let seeds = (Fixtures.all(in: "parity") + Fixtures.all(in: "parity-extra")).map { try! Data(contentsOf: $0) }

    @Test func mutatedFixtures() throws {
        var mutator = Mutator(seed: 12, dictionary: try FuzzDictionary.load("parity"))
        var checked = 0, refused = 0
        for i in 0..<600 {
            let seed = Self.seeds[i % Self.seeds.count]
            let input = i % 2 == 0 ? Data(mutator.mutate(Array(seed))) : edited(seed, using: &mutator)
            do {
                let fixture = try ParityFixture(data: input, file: "fuzz.json")
                _ = try ParityCheck<Double>().run(fixture)
                _ = try ParityCheck<Float>().run(fixture)
                checked += 1
            } catch {
                refused += 1
                #expect(error.description.hasPrefix("fuzz.json: "))
            }
        }
        print("fuzz: parity fixtures: \(checked + refused) inputs: \(checked) checked, \(refused) refused with typed errors")
        #expect(checked > 30)
    }

    /// Sizes a fixture may claim, valid or not.
    static var sizes: [Any] { [0, 1, 2, 3, 7, 64, 1_048_576, 1_048_577, -1, 1.5, 1e300, "3", true, NSNull()] }
    /// Values of any JSON type.
    static var values: [Any] { [0, -1, 3, 1e308, 1e-308, "gru", "zeros", true, NSNull(), [Any](), [String: Any](),
                                [[Any]()], [[1.0, 2.0], [3.0]], [1.0, 2.0, 3.0], ["a": 1]] }

    /// `seed` with its JSON tree edited once: a size changed, a key deleted, a node replaced
    /// by another value, an array shortened or lengthened, or a node nested 600 levels deep.
    func edited(_ seed: Data, using mutator: inout Mutator) -> Data {
        var root = try! JSONSerialization.jsonObject(with: seed) as! [String: Any]
        switch mutator.integer(0...4) {
        case 0:
            let key = ["input_size", "hidden_size", "num_layers", "seq_len", "batch", "cell", "bidirectional", "zoneout"]
                .randomElement(using: &mutator.generator)!
            root[key] = key == "cell" ? ["gru", "lstm", "mingru", "rnn-tanh", "cellstate-gru", "zoneout-gru-eval", "nope"]
                .randomElement(using: &mutator.generator)! : Self.sizes.randomElement(using: &mutator.generator)!
        case 1:
            edit(&root, depth: mutator.integer(1...4), using: &mutator) { _, _ in nil }
        case 2:
            edit(&root, depth: mutator.integer(1...5), using: &mutator) { _, m in Self.values.randomElement(using: &m.generator)! }
        case 3:
            edit(&root, depth: mutator.integer(1...6), using: &mutator) { node, m in
                guard var array = node as? [Any], !array.isEmpty else { return node }
                if m.integer(0...1) == 0 { array.removeLast() } else { array.append(array[0]) }
                return array
            }
        default:
            edit(&root, depth: mutator.integer(1...3), using: &mutator) { node, _ in
                (0..<600).reduce(node) { inner, _ in [inner] }
            }
        }
        return try! JSONSerialization.data(withJSONObject: root)
    }

    /// Replaces a node `depth` levels down a random path with `change(node)` (nil deletes it).
    func edit(_ node: inout [String: Any], depth: Int, using mutator: inout Mutator,
              _ change: (Any, inout Mutator) -> Any?) {
        guard let key = node.keys.sorted().randomElement(using: &mutator.generator) else { return }
        if depth > 1, var child = node[key] as? [String: Any] {
            edit(&child, depth: depth - 1, using: &mutator, change)
            node[key] = child
        } else if depth > 1, var array = node[key] as? [Any], !array.isEmpty {
            let i = mutator.integer(0...array.count - 1)
            if var child = array[i] as? [String: Any] {
                edit(&child, depth: depth - 1, using: &mutator, change)
                array[i] = child
            } else {
                array[i] = change(array[i], &mutator) ?? array[i]
            }
            node[key] = array
        } else {
            node[key] = change(node[key]!, &mutator)
        }
    }
}
