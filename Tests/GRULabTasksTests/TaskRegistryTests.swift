import GRULabTasks
import Testing

/// Building tasks by name, and the messages of every hyper-parameter error.
@Suite struct TaskRegistryTests {
    @Test func makesEachGeneratedTaskByName() throws {
        let adding = try TaskRegistry.builtIn.make("adding", parameters: ["seq_len": .int(50)])
        #expect(adding.name == "adding" && adding.sequenceLength == 50 && adding.inputSize == 2)
        #expect(adding.output == .regression(outputs: 1) && adding.placement == .lastStep)
        let copy = try TaskRegistry.builtIn.make("copy", parameters: ["seq_len": .int(30)])
        #expect(copy.sequenceLength == 50 && copy.output == .classification(classes: 10) && copy.placement == .everyStep)
        let selective = try TaskRegistry.builtIn.make("selective-copy")
        #expect(selective.sequenceLength == 68 && selective.inputSize == 10)
        #expect(TaskRegistry.builtIn.names == ["adding", "copy", "selective-copy", "sequences", "spatial-recall"])
    }

    @Test(arguments: [
        ("walking", [:], "unknown task 'walking'; known tasks: adding, copy, selective-copy, sequences, spatial-recall"),
        ("adding", ["seq_len": TaskParameter.int(1)], "task 'adding': seq_len = 1, expected an integer >= 2"),
        ("adding", ["seq_length": .int(10)], "task 'adding' has no parameter 'seq_length'; its parameters: seq_len, eval_size"),
        ("adding", ["seq_len": .string("ten")], "task 'adding': parameter 'seq_len' must be an integer"),
        ("copy", ["seq_len": .int(0)], "task 'copy': seq_len = 0, expected an integer >= 1"),
        ("copy", ["eval_size": .int(0)], "task 'copy': eval_size = 0, expected an integer >= 1"),
        ("selective-copy", ["seq_len": .int(3), "tokens": .int(4)],
         "task 'selective-copy': seq_len = 3, expected an integer >= max(tokens, 2) = 4"),
        ("selective-copy", ["vocab": .int(1)], "task 'selective-copy': vocab = 1, expected an integer >= 2"),
        ("sequences", [:], "task 'sequences' needs the parameter 'path'"),
    ] as [(String, [String: TaskParameter], String)])
    func rejectsBadTasksWithAMessage(name: String, parameters: [String: TaskParameter], message: String) {
        #expect(throws: TaskError.self) { try TaskRegistry.builtIn.make(name, parameters: parameters) }
        do {
            _ = try TaskRegistry.builtIn.make(name, parameters: parameters)
        } catch {
            #expect(error.description == message)
        }
    }
}
