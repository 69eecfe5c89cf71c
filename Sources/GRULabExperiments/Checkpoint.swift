import Foundation
import GRULabCells
import GRULabTensor
import GRULabTraining

/// Everything a run needs to continue exactly where it stopped: the step, the parameters, the
/// optimizer's state and both random streams. Written next to the run file as
/// `<run>.checkpoint.json`, atomically (a temporary file renamed over the old one), so a kill
/// leaves either the previous checkpoint or the new one.
struct Checkpoint: Codable, Equatable {
    enum OptimizerState: Codable, Equatable {
        case sgd(SGD<Float>)
        case adam(Adam<Float>)
        case rmsprop(RMSprop<Float>)

        var optimizer: any Optimizer<Float> {
            switch self {
            case let .sgd(o): o
            case let .adam(o): o
            case let .rmsprop(o): o
            }
        }

        init?(_ optimizer: any Optimizer<Float>) {
            switch optimizer {
            case let o as SGD<Float>: self = .sgd(o)
            case let o as Adam<Float>: self = .adam(o)
            case let o as RMSprop<Float>: self = .rmsprop(o)
            default: return nil
            }
        }
    }

    /// The number of completed training steps.
    var step: Int
    var parameterNames: [String]
    /// Each parameter's shape, so that a reader without GRULab (grulab_analysis, PyTorch) can
    /// cut ``parameters`` into tensors; `nil` in checkpoints written before shapes were stored.
    var parameterShapes: [[Int]]?
    /// All parameters, one after the other in ``parameterNames`` order, each row-major.
    var parameters: [Float]
    var optimizer: OptimizerState
    var dataGenerator: SeededGenerator
    var dropoutGenerator: SeededGenerator

    init(_ trainer: Trainer<Float>) {
        step = trainer.step
        parameterNames = trainer.model.parameters.names
        parameterShapes = trainer.model.parameters.entries.map(\.shape)
        parameters = trainer.model.parameters.storage
        optimizer = OptimizerState(trainer.optimizer)!
        dataGenerator = trainer.dataGenerator
        dropoutGenerator = trainer.dropoutGenerator
    }

    /// Puts this state into `trainer`, whose model must have the same parameters.
    func restore(into trainer: inout Trainer<Float>, run: String) throws {
        var parameters = trainer.model.parameters
        guard parameters.names == parameterNames, parameters.storage.count == self.parameters.count else {
            throw RunError.cannotResume(run: run, reason: "its checkpoint's parameters do not match the run's model; "
                                        + "remove the checkpoint to run '\(run)' again from the start")
        }
        parameters.withUnsafeMutableBufferPointer { p in
            for i in p.indices { p[i] = self.parameters[i] }
        }
        trainer.model.parameters = parameters
        trainer.optimizer = optimizer.optimizer
        trainer.step = step
        trainer.dataGenerator = dataGenerator
        trainer.dropoutGenerator = dropoutGenerator
    }

    static func path(forRun runPath: String) -> String {
        String(runPath.dropLast(3)) + ".checkpoint.json"
    }

    func write(to path: String) throws {
        let temporary = path + ".tmp"
        try JSONEncoder().encode(self).write(to: URL(fileURLWithPath: temporary))
        guard rename(temporary, path) == 0 else {
            throw RunError.checkpoint(path: path, reason: String(cString: strerror(errno)))
        }
    }

    /// The checkpoint of `run` at `path`, or nil when there is none.
    static func read(from path: String, run: String) throws -> Checkpoint? {
        guard FileManager.default.fileExists(atPath: path) else { return nil }
        do {
            return try JSONDecoder().decode(Checkpoint.self, from: Data(contentsOf: URL(fileURLWithPath: path)))
        } catch {
            throw RunError.cannotResume(
                run: run, reason: "\(path) is not a GRULab checkpoint (\(Self.reason(error))); remove it to run "
                    + "'\(run)' again from the start (its results file is then rewritten)")
        }
    }

    /// What is wrong with a checkpoint's JSON, in a few words.
    private static func reason(_ error: any Error) -> String {
        switch error {
        case let DecodingError.dataCorrupted(context): context.debugDescription
        case let DecodingError.keyNotFound(key, _): "no '\(key.stringValue)'"
        case let DecodingError.typeMismatch(_, context), let DecodingError.valueNotFound(_, context):
            "'\(context.codingPath.map(\.stringValue).joined(separator: "."))' has the wrong type"
        default: "\(error)"
        }
    }
}
