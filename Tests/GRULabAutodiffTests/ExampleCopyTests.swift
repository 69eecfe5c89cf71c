import Foundation
import Testing

/// The example package's definition and the copy these tests run are the same code.
@Test func exampleDefinitionIsTheTestedCopy() throws {
    let here = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
    let copy = try String(contentsOf: here.appendingPathComponent("LayerNormGRU.swift"), encoding: .utf8)
    let root = here.deletingLastPathComponent().deletingLastPathComponent()
    let example = try String(contentsOf: root.appendingPathComponent("Examples/CustomCell/Sources/CustomCell/LayerNormGRU.swift"),
                             encoding: .utf8)
    #expect(copy.split(separator: "\n", omittingEmptySubsequences: false).dropFirst(2).joined(separator: "\n") == example)
}
