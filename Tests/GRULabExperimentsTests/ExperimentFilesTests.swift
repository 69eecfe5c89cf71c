import Foundation
import GRULabCells
import GRULabExperiments
import Testing

/// The ready experiment files under experiments/ validate.
@Suite struct ExperimentFilesTests {
    static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent()
    static let files = (try? FileManager.default.contentsOfDirectory(atPath: root.appendingPathComponent("experiments").path))?
        .filter { $0.hasSuffix(".yaml") }.sorted() ?? []

    /// The presets the cells module is adding (gru + zoneout, gru + variational dropout);
    /// until they are registered, the files are checked with their names added.
    static let knownCells = CellRegistry.builtIn.names
        + ["zoneout-gru", "variational-gru"].filter { !CellRegistry.builtIn.names.contains($0) }

    @Test func theReadyFilesAreThere() {
        #expect(Self.files == ["convgru-spatial-recall.yaml", "copy.yaml", "selective-copy.yaml", "vanishing-gradients-full.yaml",
                               "vanishing-gradients.yaml", "zoneout-sweep.yaml"])
    }

    @Test(arguments: files)
    func validates(name: String) throws {
        let path = Self.root.appendingPathComponent("experiments").appendingPathComponent(name).path
        let experiment = try ExperimentSpec(contentsOf: path, knownCells: Self.knownCells)
        #expect(experiment.name + ".yaml" == name, "the experiment is named as its file")
        for run in experiment.runs {
            let back = try ExperimentSpec(yaml: run.yaml, file: "resolved.yaml", knownCells: Self.knownCells)
            #expect(back.runs.first?.name == run.name)
        }
    }

    @Test func theReferenceStudySweepsTheSevenCellsOverThreeLengths() throws {
        let path = Self.root.appendingPathComponent("experiments/vanishing-gradients.yaml").path
        let experiment = try ExperimentSpec(contentsOf: path, knownCells: Self.knownCells)
        #expect(experiment.axes == [
            .init(key: "model.cell", values: ["rnn-tanh", "lstm", "gru", "d2l-gru", "mingru", "zoneout-gru", "variational-gru"]),
            .init(key: "task.seq_len", values: ["50", "100", "200"]),
        ])
        // the quick form: sizes that train 21 runs in about six minutes on two cores
        #expect(experiment.runs.allSatisfy { $0.model.hiddenSize <= 64 && $0.train.steps <= 1500 && $0.train.batchSize <= 64 })
    }
}
