import Foundation

/// The Python package `grulab-analysis` (analysis/ in the repository), run as a subprocess:
/// `grulab report` is its `grulab_analysis.report` module.
struct PythonAnalysis {
    /// The Python interpreter, a name looked up on `PATH` or a path.
    var python: String

    /// Why the package cannot run.
    enum Failure: Error, CustomStringConvertible {
        case noInterpreter(String)
        case notInstalled(python: String, reason: String)

        var description: String {
            switch self {
            case let .noInterpreter(python):
                "'\(python)' was not found; grulab report runs the Python package grulab-analysis "
                    + "(install Python 3 and pass --python if it is not python3)"
            case let .notInstalled(python, reason):
                "the Python package grulab-analysis is not installed for '\(python)' (\(reason)); install it "
                    + "from a GRULab checkout with `python3 -m pip install -e analysis` (scripts/setup does)"
            }
        }
    }

    /// Checks that the interpreter imports the package.
    func check() throws(Failure) {
        let (status, errorText) = run(["-c", "import grulab_analysis"], captureError: true)
        if status == 127 { throw .noInterpreter(python) }
        if status != 0 {
            let last = errorText.split(separator: "\n").last.map(String.init) ?? "exit status \(status)"
            throw .notInstalled(python: python, reason: last)
        }
    }

    /// Runs `python -m module arguments...` with this process's standard output and error;
    /// returns its exit status.
    func runModule(_ module: String, _ arguments: [String]) -> Int32 {
        run(["-m", module] + arguments, captureError: false).status
    }

    private func run(_ arguments: [String], captureError: Bool) -> (status: Int32, error: String) {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = [python] + arguments
        let pipe = Pipe()
        if captureError {
            process.standardError = pipe
            process.standardOutput = FileHandle.nullDevice
        }
        do {
            try process.run()
        } catch {
            return (127, "\(error)")
        }
        let text = captureError ? String(decoding: pipe.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self) : ""
        process.waitUntilExit()
        return (process.terminationStatus, text)
    }
}
