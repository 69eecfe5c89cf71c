import Foundation
import GRULabHDF5
import Testing

@Suite("RunWriter and RunReader")
struct RunWriterTests {
    let directory: TemporaryDirectory
    init() throws { directory = try TemporaryDirectory() }

    let metadata = RunMetadata(
        grulabVersion: "0.1.0", gitCommit: "abc123", gitDirty: false, seed: 42,
        experimentYAML: "cell: gru\nhidden: 16\n", swiftVersion: "6.3.1", blas: "OpenBLAS 0.3.21",
        startedAt: Date(timeIntervalSince1970: 1_700_000_000.25))

    func layout() -> RunLayout {
        RunLayout.standard(layers: 2, timeSteps: 3, parameters: ["weight_hh_l0", "bias_hh_l0"],
                           hasAccuracy: false)
    }

    @Test func finishedRunReadsBackWithSchema() throws {
        let path = directory.path("run.h5")
        do {
            let writer = try RunWriter(path: path, metadata: metadata, layout: layout())
            for step in [0, 5, 10] {
                try writer.logMetrics(step: step, trainLoss: 1 / Double(step + 1), gradNorm: 3,
                                      learningRate: 0.01, wallTime: Double(step))
                try writer.append(step: step, to: "gradients", [
                    "dL_dh_norm": (0..<6).map { Double($0 + step) },
                    "param_grad_norm/weight_hh_l0": [0.5], "param_grad_norm/bias_hh_l0": [0.25],
                ])
            }
            try writer.logEval(step: 10, loss: 0.75)
            try writer.finish(.completed, at: Date(timeIntervalSince1970: 1_700_000_090))
        }
        let reader = try RunReader(path: path)
        #expect(try reader.schemaVersion == 1)
        #expect(try reader.status == .completed)
        #expect(try reader.stringAttribute("started_at") == "2023-11-14T22:13:20.250Z")
        #expect(try reader.stringAttribute("finished_at") == "2023-11-14T22:14:50.000Z")
        #expect(try reader.stringAttribute("experiment_yaml") == "cell: gru\nhidden: 16\n")
        #expect(try reader.stringAttribute("hdf5_version") == HDF5Library.version)
        #expect(try reader.file.attribute("git_dirty") == .int(0))
        #expect(try reader.file.attribute("seed") == .int(42))
        #expect(try reader.file.attributeNames() == [
            "blas", "experiment_yaml", "finished_at", "git_commit", "git_dirty", "grulab_version",
            "hdf5_version", "schema_version", "seed", "started_at", "status", "swift_version",
        ])
        #expect(try reader.steps(in: "metrics") == [0, 5, 10])
        #expect(try reader.series("train_loss", in: "metrics").values == [1, 1.0 / 6, 1.0 / 11])
        #expect(try reader.steps(in: "eval") == [10])
        #expect(try reader.series("loss", in: "eval").values == [0.75])
        let norms = try reader.series("dL_dh_norm", in: "gradients")
        #expect(norms.shape == [3, 2, 3])
        #expect(norms.values == [0, 1, 2, 3, 4, 5, 5, 6, 7, 8, 9, 10, 10, 11, 12, 13, 14, 15])
        #expect(try reader.file.elementType(of: "/gradients/dL_dh_norm") == .float32)
        #expect(try reader.series("param_grad_norm/bias_hh_l0", in: "gradients").values == [0.25, 0.25, 0.25])
        for (dimension, name) in ["step", "layer", "t"].enumerated() {
            #expect(try reader.file.dimensionScaleName(of: "/gradients/dL_dh_norm", dimension: dimension) == name)
        }
        #expect(try reader.file.readDataset("/gradients/t", as: Int64.self).values == [0, 1, 2])
        #expect(try reader.file.dimensionScaleName(of: "/metrics/train_loss", dimension: 0) == "step")
    }

    @Test func failedStatusKeepsTheReason() throws {
        let path = directory.path("failed.h5")
        let writer = try RunWriter(path: path, metadata: metadata, layout: layout())
        try writer.finish(.failed(reason: "loss is NaN at step 12"))
        let reader = try RunReader(path: path)
        #expect(try reader.status == .failed(reason: "loss is NaN at step 12"))
        #expect(try reader.stringAttribute("status") == "failed: loss is NaN at step 12")
        #expect(throws: HDF5Error.failed(operation: "write", file: path, object: "metrics",
                                         reason: "the run writer is finished")) {
            try writer.logMetrics(step: 0, trainLoss: 0, gradNorm: 0, learningRate: 0, wallTime: 0)
        }
    }

    @Test func rowsMustMatchTheLayout() throws {
        let path = directory.path("rows.h5")
        let writer = try RunWriter(path: path, metadata: metadata, layout: layout())
        #expect(throws: HDF5Error.invalidArgument(
            file: path, object: "/eval",
            reason: "a row needs exactly the series of the group; missing [], unknown [\"accuracy\"]")) {
            try writer.logEval(step: 0, loss: 1, accuracy: 0.5)
        }
        #expect(throws: HDF5Error.invalidArgument(
            file: path, object: "/gradients/dL_dh_norm", reason: "expected 6 values per step, got 5")) {
            try writer.append(step: 0, to: "gradients", [
                "dL_dh_norm": [1, 2, 3, 4, 5],
                "param_grad_norm/weight_hh_l0": [0], "param_grad_norm/bias_hh_l0": [0],
            ])
        }
        #expect(throws: HDF5Error.notFound(file: path, object: "/gates")) {
            try writer.append(step: 0, to: "gates", [:])
        }
        try writer.finish(.completed)
        #expect(try RunReader(path: path).steps(in: "gradients") == [])
    }

    @Test func addingASeriesIsOneCall() throws {
        var layout = layout()
        layout.add(.init("update_saturated", dimensions: [.init("layer", size: 2)], precision: .float32),
                   to: "gates")
        let path = directory.path("gates.h5")
        let writer = try RunWriter(path: path, metadata: metadata, layout: layout)
        try writer.append(step: 4, to: "gates", ["update_saturated": [0.5, 0.125]])
        try writer.finish(.completed)
        let reader = try RunReader(path: path)
        #expect(try reader.series("update_saturated", in: "gates") == HDF5Array(shape: [1, 2], values: [0.5, 0.125]))
        #expect(try reader.file.dimensionScaleName(of: "/gates/update_saturated", dimension: 1) == "layer")
    }

    @Test func runStatusParsesItsStoredForm() {
        #expect(RunStatus("running") == .running)
        #expect(RunStatus("failed: out of memory: 3 GiB") == .failed(reason: "out of memory: 3 GiB"))
        #expect(RunStatus("done") == nil)
    }
}
