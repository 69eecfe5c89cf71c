import Foundation
@testable import GRULabExperiments
import Testing

/// docs/experiments.md documents exactly the keys the loader knows, with their defaults.
@Suite struct DocumentationTests {
    static let document = (try? String(contentsOf: ExperimentFilesTests.root.appendingPathComponent("docs/experiments.md"),
                                       encoding: .utf8)) ?? ""

    /// The key column of every table row: "| `model.cell` | …".
    static var documentedKeys: [String] {
        document.split(separator: "\n").compactMap { line in
            guard line.hasPrefix("| `") else { return nil }
            return line.dropFirst(3).prefix { $0 != "`" }.description
        }.filter { !$0.contains(" ") && !$0.isEmpty }
    }

    @Test func everyKeyIsDocumentedInCatalogOrder() {
        let keys = Self.documentedKeys.filter { $0 != "sweep" }
        #expect(keys == Setting.catalog.map(\.path))
    }

    @Test func everyDefaultIsTheDocumentedOne() {
        for setting in Setting.catalog {
            guard case let .value(value) = setting.default else { continue }
            let row = Self.document.split(separator: "\n").first { $0.hasPrefix("| `\(setting.path)` |") }
            let columns = row?.split(separator: "|").map { $0.trimmingCharacters(in: .whitespaces) } ?? []
            let documented = columns.count > 2 ? columns[2] : "(no row)"
            let expected = switch value {
            case let .number(x) where x == x.rounded(): "`\(Int(x))`"
            default: "`\(value.text)`"
            }
            #expect(documented == expected, "\(setting.path)")
        }
    }
}
