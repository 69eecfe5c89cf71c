import GRULabHDF5
import GRULabTasks
import GRULabTensor
import GRULabTestSupport
import Testing

/// A researcher's own sequences from HDF5: layout, variable lengths, held-out set, errors.
@Suite struct SequencesTaskTests {
    /// Writes `x [S, T, C]` (value = 100 s + 10 t + c), and the given `y` and `lengths`.
    static func write(_ path: String, s: Int = 10, t: Int = 4, c: Int = 2, y: (([Int64], [Int]))?,
                      floatY: ([Double], [Int])? = nil, lengths: [Int64]?, xShape: [Int]? = nil) throws {
        let file = try HDF5File.create(path)
        var x: [Float] = []
        for i in 0..<s { for step in 0..<t { for f in 0..<c { x.append(Float(100 * i + 10 * step + f)) } } }
        let shape = xShape ?? [s, t, c]
        try file.writeDataset("/x", values: Array(x.prefix(shape.reduce(1, *))), shape: shape)
        if let y { try file.writeDataset("/y", values: y.0, shape: y.1) }
        if let floatY { try file.writeDataset("/y", values: floatY.0, shape: floatY.1) }
        if let lengths { try file.writeDataset("/lengths", values: lengths, shape: [lengths.count]) }
        try file.close()
    }

    @Test func readsVariableLengthClassificationEveryStep() throws {
        let dir = try TemporaryDirectory(), path = dir.path("data.h5")
        let lengths: [Int64] = [4, 2, 3, 1, 4, 4, 2, 3, 1, 2]
        let labels = (0..<40).map { Int64($0 % 3) }
        try Self.write(path, y: (labels, [10, 4]), lengths: lengths)
        let task = try SequencesTask(path: path, evaluationSize: 3)
        #expect(task.count == 10 && task.sequenceLength == 4 && task.inputSize == 2)
        #expect(task.output == .classification(classes: 3) && task.placement == .everyStep)
        let held = task.evaluationSet(using: SeededGenerator(seed: 0))
        #expect(held.lengths == [3, 1, 2] && held.x.shape == [4, 3, 2])   // sequences 7, 8, 9
        #expect(held.x[1, 0, 1] == 711 && held.x[2, 2, 0] == 920)          // x[s=7, t=1, c=1], x[s=9, t=2, c=0]
        #expect(held.mask == [1, 1, 1, 1, 0, 1, 1, 0, 0, 0, 0, 0])
        guard case let .classes(y) = held.target else { Issue.record("not classes"); return }
        #expect(y[0 * 3 + 0] == Int(labels[28]) && y[1 * 3 + 2] == Int(labels[37]) && y[2 * 3 + 2] == 0)  // padding reads 0
        var g = SeededGenerator(seed: 1)
        let batch = task.batch(size: 64, using: &g)
        #expect(batch.x.shape == [4, 64, 2])
        for b in 0..<64 {
            let s = Int(batch.x[0, b, 0]) / 100
            #expect(s < 7 && batch.lengths![b] == Int(lengths[s]))
        }
        var again = SeededGenerator(seed: 1)
        #expect(task.batch(size: 64, using: &again) == batch)
    }

    @Test func regressionOnTheLastStepAndItsBaseline() throws {
        let dir = try TemporaryDirectory(), path = dir.path("data.h5")
        let y = (0..<10).map { Double($0) }
        try Self.write(path, y: nil, floatY: (y, [10]), lengths: nil)
        let task = try SequencesTask(path: path, evaluationSize: 2)
        #expect(task.output == .regression(outputs: 1) && task.placement == .lastStep)
        // The training mean is 3.5; the held-out targets 8 and 9 give ((4.5)² + (5.5)²) / 2.
        #expect(task.baseline.value == (4.5 * 4.5 + 5.5 * 5.5) / 2 && task.baseline.metric == "mse")
    }

    @Test func namesTheFileAndTheDatasetInErrors() throws {
        let dir = try TemporaryDirectory()
        let noY = dir.path("no-y.h5"), flat = dir.path("flat.h5"), short = dir.path("short.h5"), badLength = dir.path("len.h5")
        try Self.write(noY, y: nil, lengths: nil)
        try Self.write(flat, y: ([Int64](repeating: 0, count: 10), [10]), lengths: nil, xShape: [10, 8])
        try Self.write(short, y: ([Int64](repeating: 0, count: 9), [9]), lengths: nil)
        try Self.write(badLength, y: ([Int64](repeating: 0, count: 10), [10]), lengths: [4, 4, 5, 4, 4, 4, 4, 4, 4, 4])
        let cases: [(String, String)] = [
            (noY, "the sequences file '\(noY)' has no dataset 'y'"),
            (flat, "dataset 'x' in '\(flat)' has shape [10, 8], expected [S, T, C], every extent >= 1"),
            (short, "dataset 'y' in '\(short)' has shape [9], expected [10] or [10, 4] for integer class targets"),
            (badLength, "dataset 'lengths' in '\(badLength)': lengths[2] = 5 is not in 1...4"),
            (dir.path("absent.h5"), "cannot read the sequences file '\(dir.path("absent.h5"))'"),
        ]
        for (path, message) in cases {
            do {
                _ = try SequencesTask(path: path)
                Issue.record("\(path) loaded")
            } catch {
                #expect(error.description.hasPrefix(message), "\(error.description)")
            }
        }
    }
}
