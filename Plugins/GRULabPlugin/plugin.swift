import Foundation
import PackagePlugin

/// `swift package grulab ARGUMENTS...`: runs the `grulab` command line of the package it is
/// invoked in, with that package's own cells.
///
/// The package provides an executable product that calls `GRULabCLI.main(registry:)` with its
/// registry (Examples/CustomCell has `grulab-custom`); the plugin builds it in release mode and
/// runs it with the arguments, in the package's directory. With several such products, pick one
/// with `--product NAME` before the arguments.
@main
struct GRULabPlugin: CommandPlugin {
    func performCommand(context: PluginContext, arguments: [String]) async throws {
        var arguments = arguments
        var productName: String?
        if let flag = arguments.firstIndex(of: "--product"), flag + 1 < arguments.count {
            productName = arguments[flag + 1]
            arguments.removeSubrange(flag...flag + 1)
        }
        let candidates = context.package.products.compactMap { $0 as? ExecutableProduct }
            .filter { productName == nil ? $0.name.hasPrefix("grulab") : $0.name == productName }
        guard let product = candidates.first, candidates.count == 1 else {
            let names = context.package.products.compactMap { $0 as? ExecutableProduct }.map(\.name)
            throw PluginError("""
                the package needs exactly one executable product named grulab… that calls \
                GRULabCLI.main(registry:) (or pass --product NAME); its executables: \
                \(names.isEmpty ? "none" : names.joined(separator: ", "))
                """)
        }
        let build = try packageManager.build(.product(product.name), parameters: .init(configuration: .release))
        guard build.succeeded, let executable = build.builtArtifacts.first(where: { $0.kind == .executable }) else {
            throw PluginError("building \(product.name) failed:\n\(build.logText)")
        }
        let process = Process()
        process.executableURL = executable.url
        process.arguments = arguments
        process.currentDirectoryURL = context.package.directoryURL
        try process.run()
        process.waitUntilExit()
        if process.terminationStatus != 0 {
            throw PluginError("\(product.name) exited with status \(process.terminationStatus)")
        }
    }
}

struct PluginError: Error, CustomStringConvertible {
    let description: String
    init(_ description: String) { self.description = description }
}
