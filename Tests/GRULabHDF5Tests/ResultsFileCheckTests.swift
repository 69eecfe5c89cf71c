import Foundation
import GRULabHDF5
import GRULabTestSupport
import Testing

/// A results file read whole in a child process first (the probe plays grulab's part): what
/// would crash or hang the HDF5 library here is an error naming the file (docs/reliability.md).
@Suite("Results files read in a child process first")
struct ResultsFileCheckTests {
    let directory: TemporaryDirectory
    let check = ResultsFileCheck(command: [Probe.executable.path, "check-results-file"])
    init() throws { directory = try TemporaryDirectory() }

    /// A copy of a damaged run file (Resources/damaged) in the test's directory.
    func damaged(_ name: String) throws -> String {
        let path = directory.path(name)
        try FileManager.default.copyItem(atPath: Fixtures.directory("damaged").appendingPathComponent(name).path,
                                         toPath: path)
        return path
    }

    @Test(.enabled(if: HDF5Library.version == "1.10.8", "the library that crashes on it"))
    func aFileThatCrashesTheLibraryIsAnErrorNamingIt() throws {
        let path = try damaged("crashes-hdf5-1.10.h5")
        let before = try Data(contentsOf: URL(fileURLWithPath: path))
        let error = #expect(throws: HDF5Error.self) { try check.check(path, mode: .swmrRead) }
        #expect(error?.description == "'\(path)' could not be read: the HDF5 library crashed reading it "
                    + "(Segmentation fault); the file is damaged")
        #expect(try Data(contentsOf: URL(fileURLWithPath: path)) == before)
    }

    @Test(.enabled(if: HDF5Library.version == "1.10.8", "the library that hangs on it"))
    func aFileThatHangsTheLibraryIsAnErrorAtTheTimeLimit() throws {
        let path = try damaged("hangs-hdf5-1.10.h5")
        let quick = ResultsFileCheck(command: check.command, timeLimit: .seconds(1))
        let start = ContinuousClock.now
        #expect(throws: HDF5Error.damaged(file: path, reason: "the HDF5 library was still reading it after 1 s")) {
            try quick.check(path, mode: .swmrRead)
        }
        #expect(ContinuousClock.now - start < .seconds(5), "the child is killed at the limit")
    }

    /// What reads, reads; any other error is the one this process would meet, brought back.
    @Test func aReadableFilePassesAndAnErrorIsTheOneReadingItHereGives() throws {
        let path = directory.path("run.h5")
        #expect(try Probe.run(["sample", path]).status == 0)
        try check.check(path, mode: .swmrRead)
        try check.check(path, mode: .readOnly)

        let truncated = directory.path("truncated.h5")
        try Data(contentsOf: URL(fileURLWithPath: path)).prefix(9000).write(to: URL(fileURLWithPath: truncated))
        let here = #expect(throws: HDF5Error.self) { try RunReader(path: truncated) }
        #expect(throws: here!) { try check.check(truncated, mode: .swmrRead) }
    }

    /// A child that does not read the file, or is killed from outside (Ctrl-C reaching the
    /// whole process group, the OOM killer), says nothing about the file: not `damaged`.
    @Test func aChildThatCannotRunOrIsStoppedIsAnErrorSayingSo() throws {
        let path = directory.path("run.h5")
        #expect(try Probe.run(["sample", path]).status == 0)
        let wrong = ResultsFileCheck(command: [Probe.executable.path, "no-such-mode"])
        #expect(throws: HDF5Error.failed(operation: "check", file: path, object: "/",
                                         reason: "\(Probe.executable.path) no-such-mode exited with status 2")) {
            try wrong.check(path, mode: .swmrRead)
        }
        let stopped = ResultsFileCheck(command: ["/bin/sh", "-c", "kill -KILL $$"])
        #expect(throws: HDF5Error.failed(operation: "check", file: path, object: "/",
                                         reason: "/bin/sh -c kill -KILL $$ ended by Killed")) {
            try stopped.check(path, mode: .swmrRead)
        }
    }
}
