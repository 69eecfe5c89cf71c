import Foundation
import GRULabCells
import GRULabTensor

/// A parity fixture: a PyTorch float64 dump of a recurrent network's inputs, parameters,
/// outputs and gradients (the format of docs/parity-fixtures.md).
///
/// Two forms are read: the full one (`num_layers`, `bidirectional`, `loss_weights`,
/// `expected.output`, `expected.grad`, …) and the gradient-norm curve (`loss`:
/// `"sum(h_T * w)"`, a `w` of `[N][H]`, `h0: "zeros"`, `expected.grad_h_norm` only).
///
/// A convolutional fixture gives `input_channels`, `hidden_channels`, `height`, `width` and
/// `kernel_size` in place of `input_size` and `hidden_size`, and frames `[C][Y][X]` where the
/// others have vectors; its tensors are read flattened to the cell's rows (``FeatureMap``).
public struct ParityFixture: Sendable {
    /// The file's name, for messages.
    public let file: String
    /// The registry name of the cell (`zoneout-gru-eval` is `gru` with zoneout, evaluated).
    public let cell: String
    /// The zoneout probability of a `zoneout-gru-eval` fixture.
    public let zoneout: Double?
    /// `C`, flat for a convolutional fixture.
    public let inputSize: Int
    /// `H`, flat for a convolutional fixture.
    public let hiddenSize: Int
    /// The feature maps of a convolutional fixture, else `nil`.
    public let featureMap: FeatureMap?
    public let numLayers: Int
    public let bidirectional: Bool
    /// `[T, N, C]`.
    public let x: Tensor<Double>
    /// `[L*D, N, H]`, or `nil` for zeros.
    public let h0: Tensor<Double>?
    public let c0: Tensor<Double>?
    /// Parameters under the fixture's names.
    public let parameters: [String: Tensor<Double>]
    /// `dL/d output` (`[T, N, D*H]`) and `dL/d h_n` (`[L*D, N, H]`): the loss weights.
    public let outputWeights: Tensor<Double>?
    public let finalStateWeights: Tensor<Double>
    /// Expected tensors by name: `output`, `h_n`, `loss`, `grad.<name>`, `grad_h_norm`.
    public let expected: [(name: String, value: Tensor<Double>)]

    /// Reads the fixture at `url`.
    /// - Throws: ``ParityError`` naming the file and the key.
    public init(contentsOf url: URL) throws(ParityError) {
        let data: Data
        do {
            data = try Data(contentsOf: url)
        } catch {
            throw .unreadable(file: url.lastPathComponent, reason: Self.reason(error))
        }
        try self.init(data: data, file: url.lastPathComponent)
    }

    /// Parses a fixture from the bytes of its JSON file.
    /// - Parameter file: The name messages give the file.
    /// - Throws: ``ParityError`` naming the file and the key.
    public init(data: Data, file: String) throws(ParityError) {
        let object: Any
        do {
            object = try JSONSerialization.jsonObject(with: data)
        } catch {
            throw .unreadable(file: file, reason: Self.reason(error))
        }
        guard let root = object as? [String: Any] else {
            throw ParityError.unreadable(file: file, reason: "the top level is not a JSON object")
        }
        let reader = JSONReader(file: file)
        self.file = file
        let cellName = try reader.string(root, "cell")
        let isCurve = root["w"] != nil
        cell = cellName == "zoneout-gru-eval" ? "gru" : cellName
        zoneout = cellName == "zoneout-gru-eval" ? try reader.number(root, "zoneout") : nil
        // the trailing dimensions of an input frame and of a state: [C] and [H], or
        // [C_in, Y, X] and [H_c, Y, X]
        let inputFrame: [Int], stateFrame: [Int]
        if root["input_channels"] != nil {
            let map = FeatureMap(height: try reader.integer(root, "height"), width: try reader.integer(root, "width"),
                                 kernelSize: try reader.integer(root, "kernel_size"))
            do { try map.validate() } catch {
                throw ParityError.invalidValue(file: file, key: "kernel_size", expected: "an odd positive integer")
            }
            inputFrame = [try reader.integer(root, "input_channels"), map.height, map.width]
            stateFrame = [try reader.integer(root, "hidden_channels"), map.height, map.width]
            featureMap = map
        } else {
            inputFrame = [try reader.integer(root, "input_size")]
            stateFrame = [try reader.integer(root, "hidden_size")]
            featureMap = nil
        }
        inputSize = inputFrame.reduce(1, *)
        hiddenSize = stateFrame.reduce(1, *)
        numLayers = isCurve ? 1 : try reader.integer(root, "num_layers")
        bidirectional = isCurve ? false : try reader.bool(root, "bidirectional")
        let steps = try reader.integer(root, "seq_len"), batch = try reader.integer(root, "batch")
        let directions = bidirectional ? 2 : 1
        let stateShape = [numLayers * directions, batch, hiddenSize]
        let nestedState = [numLayers * directions, batch] + stateFrame
        let nestedOutput = [steps, batch, directions * stateFrame[0]] + stateFrame.dropFirst()
        let outputShape = [steps, batch, directions * hiddenSize]
        x = try reader.tensor(root, "x", shape: [steps, batch] + inputFrame).reshaped([steps, batch, inputSize])
        if root["h0"] is String {
            h0 = nil
        } else {
            h0 = try reader.tensor(root, "h0", shape: nestedState).reshaped(stateShape)
        }
        c0 = root["c0"] == nil ? nil : try reader.tensor(root, "c0", shape: nestedState).reshaped(stateShape)
        let params = try reader.object(root, "params")
        var parameters: [String: Tensor<Double>] = [:]
        for (name, value) in params {
            parameters[name] = try reader.tensor(value, "params.\(name)")
        }
        self.parameters = parameters
        let expectedRoot = try reader.object(root, "expected")
        var expected: [(String, Tensor<Double>)] = []
        if isCurve {
            outputWeights = nil
            finalStateWeights = try reader.tensor(root, "w", shape: [batch] + stateFrame).reshaped(stateShape)
        } else {
            let weights = try reader.object(root, "loss_weights")
            outputWeights = try reader.tensor(weights, "loss_weights.output", key: "output",
                                              shape: nestedOutput).reshaped(outputShape)
            finalStateWeights = try reader.tensor(weights, "loss_weights.h_n", key: "h_n", shape: nestedState)
                .reshaped(stateShape)
            expected.append(("output", try reader.tensor(expectedRoot, "expected.output", key: "output",
                                                          shape: nestedOutput)))
            expected.append(("h_n", try reader.tensor(expectedRoot, "expected.h_n", key: "h_n", shape: nestedState)))
            expected.append(("loss", Tensor(shape: [1], scalars: [try reader.number(expectedRoot, "loss", path: "expected.loss")])))
            let grads = try reader.object(expectedRoot, "grad", path: "expected.grad")
            for name in grads.keys.sorted() {
                expected.append(("grad.\(name)", try reader.tensor(grads, "expected.grad.\(name)", key: name)))
            }
        }
        if expectedRoot["grad_h_norm"] != nil {
            expected.append(("grad_h_norm", try reader.tensor(expectedRoot, "expected.grad_h_norm", key: "grad_h_norm",
                                                               shape: [steps])))
        }
        self.expected = expected
    }

    private static func reason(_ error: Error) -> String {
        let ns = error as NSError
        if ns.domain == NSCocoaErrorDomain, ns.code == NSFileReadNoSuchFileError || ns.code == 260 {
            return "no such file"
        }
        return (ns.userInfo[NSDebugDescriptionErrorKey] as? String) ?? ns.localizedDescription
    }
}

/// Whether a parsed JSON value is `true` or `false`: Foundation hands out booleans as
/// `NSNumber`s too, told apart by their Objective-C type `c`.
private func isBoolean(_ value: Any) -> Bool {
    guard let number = value as? NSNumber else { return false }
    return String(cString: number.objCType) == "c"
}

/// Typed access to a parsed JSON fixture, with errors naming the key.
private struct JSONReader {
    let file: String

    func value(_ object: Any, _ key: String, path: String? = nil) throws(ParityError) -> Any {
        guard let dict = object as? [String: Any], let value = dict[key] else {
            throw ParityError.missingKey(file: file, key: path ?? key)
        }
        return value
    }

    func object(_ object: Any, _ key: String, path: String? = nil) throws(ParityError) -> [String: Any] {
        guard let value = try value(object, key, path: path) as? [String: Any] else {
            throw ParityError.invalidValue(file: file, key: path ?? key, expected: "an object")
        }
        return value
    }

    func string(_ object: Any, _ key: String) throws(ParityError) -> String {
        guard let value = try value(object, key) as? String else {
            throw ParityError.invalidValue(file: file, key: key, expected: "a string")
        }
        return value
    }

    func bool(_ object: Any, _ key: String) throws(ParityError) -> Bool {
        let raw = try value(object, key)
        guard isBoolean(raw), let value = raw as? Bool else {
            throw ParityError.invalidValue(file: file, key: key, expected: "true or false")
        }
        return value
    }

    func number(_ object: Any, _ key: String, path: String? = nil) throws(ParityError) -> Double {
        let raw = try value(object, key, path: path)
        guard !isBoolean(raw), let value = raw as? NSNumber, value.doubleValue.isFinite else {
            throw ParityError.invalidValue(file: file, key: path ?? key, expected: "a finite number")
        }
        return value.doubleValue
    }

    func integer(_ object: Any, _ key: String) throws(ParityError) -> Int {
        let number = try number(object, key)
        guard number == number.rounded(), number >= 1, number <= 1_048_576 else {
            throw ParityError.invalidValue(file: file, key: key, expected: "a positive integer")
        }
        return Int(number)
    }

    /// A nested array of numbers at `key` of `object` (or `object` itself when `key` is the
    /// path of an already-extracted value), checked against `shape` when given.
    func tensor(_ object: Any, _ path: String, key: String? = nil, shape: [Int]? = nil) throws(ParityError) -> Tensor<Double> {
        let raw: Any = if let key { try value(object, key, path: path) }
            else if shape != nil, let dict = object as? [String: Any] { try value(dict, path) }
            else { object }
        var scalars: [Double] = []
        func dims(_ v: Any) throws(ParityError) -> [Int] {
            if !isBoolean(v), let number = v as? NSNumber {
                scalars.append(number.doubleValue)
                return []
            }
            guard let array = v as? [Any], !array.isEmpty else {
                throw ParityError.invalidValue(file: file, key: path, expected: "a non-empty nested array of numbers")
            }
            let inner = try array.map(dims)
            guard inner.allSatisfy({ $0 == inner[0] }) else {
                throw ParityError.invalidValue(file: file, key: path, expected: "a rectangular nested array")
            }
            return [array.count] + inner[0]
        }
        let found = try dims(raw)
        if let shape, found != shape {
            throw ParityError.invalidValue(
                file: file, key: path,
                expected: "shape [\(shape.map(String.init).joined(separator: ", "))], found [\(found.map(String.init).joined(separator: ", "))]")
        }
        return Tensor(shape: found, scalars: scalars)
    }
}
