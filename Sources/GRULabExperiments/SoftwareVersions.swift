import Foundation
import GRULabTensor

/// What ran: GRULab's version, the git commit of the source tree, the compiler and BLAS,
/// recorded in every run file so a run can be repeated exactly.
public struct SoftwareVersions: Sendable, Equatable {
    /// GRULab's own version; raised with every release of the results schema or the CLI.
    public static let grulab = "0.1.0"

    public var gitCommit: String
    public var gitDirty: Bool
    public var swift: String
    public var blas: String

    /// The versions of this process, the git state read from `directory` (the experiment's
    /// working tree); `unknown` outside a git checkout.
    public static func current(in directory: String = FileManager.default.currentDirectoryPath) -> SoftwareVersions {
        let commit = git(["rev-parse", "HEAD"], in: directory) ?? "unknown"
        let dirty = git(["status", "--porcelain", "--untracked-files=no"], in: directory).map { !$0.isEmpty } ?? false
        return SoftwareVersions(gitCommit: commit, gitDirty: dirty, swift: compilerVersion, blas: blasDescription)
    }

    private static var compilerVersion: String {
        #if compiler(>=6.4)
        "Swift 6.4 or later"
        #elseif compiler(>=6.3.1)
        "Swift 6.3.1"
        #elseif compiler(>=6.3)
        "Swift 6.3.0"
        #else
        "Swift before 6.3"
        #endif
    }

    private static func git(_ arguments: [String], in directory: String) -> String? {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["git", "-C", directory] + arguments
        let out = Pipe()
        process.standardOutput = out
        process.standardError = FileHandle.nullDevice
        do { try process.run() } catch { return nil }
        let data = out.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        guard process.terminationStatus == 0 else { return nil }
        return String(decoding: data, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
    }
}
