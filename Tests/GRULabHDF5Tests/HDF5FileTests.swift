import Foundation
import GRULabHDF5
import Testing

@Suite("HDF5File round trips")
struct HDF5FileTests {
    let directory: TemporaryDirectory
    init() throws { directory = try TemporaryDirectory() }

    @Test("attributes of every kind read back as written", arguments: [
        AttributeValue.int(-42), .int(Int.max), .double(0.1), .double(-.infinity),
        .string(""), .string("running"), .string("γ = 0.5\nmulti-line: yes"),
        .doubles([1.5, -2.25, 1e-300]), .ints([0, -1, Int.min]), .doubles([]),
    ])
    func attributeRoundTrip(value: AttributeValue) throws {
        let path = directory.path("attributes.h5")
        do {
            let file = try HDF5File.create(path)
            try file.createGroup("/a/b")
            try file.setAttribute("x", value)
            try file.setAttribute("x", value, on: "/a/b")
            try file.close()
        }
        let file = try HDF5File(opening: path)
        #expect(try file.attribute("x") == value)
        #expect(try file.attribute("x", of: "/a/b") == value)
        #expect(try file.attributeNames(of: "/a/b") == ["x"])
    }

    @Test func attributeIsReplaced() throws {
        let path = directory.path("replace.h5")
        let file = try HDF5File.create(path)
        try file.setAttribute("status", "running")
        try file.setAttribute("status", .int(3))
        try file.setAttribute("status", "completed")
        #expect(try file.attribute("status") == .string("completed"))
    }

    @Test func missingObjectsAreNamed() throws {
        let path = directory.path("missing.h5")
        let file = try HDF5File.create(path)
        #expect(throws: HDF5Error.notFound(file: path, object: "/nope")) {
            try file.attribute("x", of: "/nope")
        }
        #expect(throws: HDF5Error.notFound(file: path, object: "/@x")) { try file.attribute("x") }
        #expect(throws: HDF5Error.notFound(file: path, object: "/d")) {
            try file.readDataset("/d", as: Float.self)
        }
        let error = HDF5Error.notFound(file: path, object: "/@x")
        #expect(error.description == "'/@x' not found in HDF5 file '\(path)'")
    }

    @Test func openingAMissingFileSaysWhy() throws {
        let path = directory.path("absent.h5")
        let error = #expect(throws: HDF5Error.self) { try HDF5File(opening: path) }
        guard case let .cannotOpen(file, reason)? = error else {
            Issue.record("expected cannotOpen, got \(String(describing: error))")
            return
        }
        #expect(file == path)
        #expect(reason.contains("No such file or directory"))
        #expect(error?.description.hasPrefix("cannot open HDF5 file '\(path)': ") == true)
    }

    @Test func creatingOverAnExistingFileNeedsOverwrite() throws {
        let path = directory.path("twice.h5")
        try HDF5File.create(path).close()
        #expect(throws: HDF5Error.self) { try HDF5File.create(path) }
        try HDF5File.create(path, overwrite: true).close()
    }

    func extendibleRoundTrip<T: HDF5Scalar & Equatable>(_ type: T.Type, make: (Int) -> T) throws {
        let path = directory.path("\(T.self).h5")
        let series = (0..<7).map(make)
        let cube = (0..<(5 * 2 * 3)).map(make)
        do {
            let file = try HDF5File.create(path)
            try file.createExtendibleDataset("/g/series", of: T.self, chunkRows: 2)
            try file.createExtendibleDataset("/g/cube", of: T.self, rowShape: [2, 3], chunkRows: 2,
                                             compressionLevel: 9)
            try file.append(Array(series[0..<3]), to: "/g/series")
            try file.append(Array(series[3...]), to: "/g/series")
            try file.append(Array(cube[0..<6]), to: "/g/cube")
            try file.append(Array(cube[6...]), to: "/g/cube")
            try file.close()
        }
        let file = try HDF5File(opening: path)
        #expect(try file.readDataset("/g/series", as: T.self) == HDF5Array(shape: [7], values: series))
        #expect(try file.readDataset("/g/cube", as: T.self) == HDF5Array(shape: [5, 2, 3], values: cube))
        #expect(try file.elementType(of: "/g/cube") == T.elementType)
        #expect(try file.memberNames(of: "/g") == ["cube", "series"])
    }

    @Test func float32Datasets() throws { try extendibleRoundTrip(Float.self) { Float($0) * 0.25 - 1 } }
    @Test func float64Datasets() throws { try extendibleRoundTrip(Double.self) { Double($0) / 3 } }
    @Test func int32Datasets() throws { try extendibleRoundTrip(Int32.self) { Int32($0) - 20 } }
    @Test func int64Datasets() throws { try extendibleRoundTrip(Int64.self) { Int64($0) << 40 } }

    @Test func fixedDatasetAndPrecisionConversion() throws {
        let path = directory.path("fixed.h5")
        let file = try HDF5File.create(path)
        try file.writeDataset("/t", values: [Int32](0..<4), shape: [4])
        try file.writeDataset("/m", values: [Float](repeating: 0.5, count: 6), shape: [2, 3])
        #expect(try file.readDataset("/t", as: Int64.self) == HDF5Array(shape: [4], values: [0, 1, 2, 3]))
        #expect(try file.readDataset("/m", as: Double.self).values == [Double](repeating: 0.5, count: 6))
        #expect(throws: HDF5Error.typeMismatch(file: path, object: "/t", expected: "float32", found: "int32")) {
            try file.readDataset("/t", as: Float.self)
        }
    }

    @Test func appendRejectsPartialRowsAndWrongTypes() throws {
        let path = directory.path("bad.h5")
        let file = try HDF5File.create(path)
        try file.createExtendibleDataset("/cube", of: Float.self, rowShape: [2, 3])
        #expect(throws: HDF5Error.invalidArgument(file: path, object: "/cube",
                                                  reason: "5 values are not whole rows of 6")) {
            try file.append([Float](repeating: 0, count: 5), to: "/cube")
        }
        #expect(throws: HDF5Error.typeMismatch(file: path, object: "/cube", expected: "float64",
                                               found: "float32")) {
            try file.append([Double](repeating: 0, count: 6), to: "/cube")
        }
        #expect(try file.shape(of: "/cube") == [0, 2, 3])
    }

    @Test func aRangeOfRowsReadsAlone() throws {
        let path = directory.path("rows.h5")
        let file = try HDF5File.create(path)
        try file.createExtendibleDataset("/cube", of: Float.self, rowShape: [2, 3])
        try file.append((0..<24).map { Float($0) }, to: "/cube")
        let middle = try file.readDataset("/cube", rows: 1..<3, as: Double.self)
        #expect(middle.shape == [2, 2, 3])
        #expect(middle.values == (6..<18).map { Double($0) })
        #expect(try file.readDataset("/cube", rows: 4..<4, as: Double.self).shape == [0, 2, 3])
        #expect(throws: HDF5Error.invalidArgument(file: path, object: "/cube", reason: "rows 3..<5 of 4")) {
            try file.readDataset("/cube", rows: 3..<5, as: Double.self)
        }
    }

    @Test func dimensionScalesReadBackByName() throws {
        let path = directory.path("scales.h5")
        do {
            let file = try HDF5File.create(path)
            try file.createExtendibleDataset("/g/step", of: Int64.self)
            try file.writeDataset("/g/t", values: [Int64](0..<3), shape: [3])
            try file.createExtendibleDataset("/g/norm", of: Float.self, rowShape: [3])
            try file.makeDimensionScale("/g/step", name: "step")
            try file.makeDimensionScale("/g/t", name: "t")
            try file.attachDimensionScale("/g/step", to: "/g/norm", dimension: 0)
            try file.attachDimensionScale("/g/t", to: "/g/norm", dimension: 1)
            try file.close()
        }
        let file = try HDF5File(opening: path)
        #expect(try file.dimensionScaleName(of: "/g/norm", dimension: 0) == "step")
        #expect(try file.dimensionScaleName(of: "/g/norm", dimension: 1) == "t")
        #expect(try file.dimensionScaleName(of: "/g/t", dimension: 0) == nil)
    }

    @Test func externalLinksResolveRelativeToTheLinkingFile() throws {
        let target = directory.path("run.h5")
        do {
            let run = try HDF5File.create(target)
            try run.writeDataset("/x", values: [1.5, 2.5], shape: [2])
            try run.close()
            let index = try HDF5File.create(directory.path("index.h5"))
            try index.createExternalLink("/runs/a/run", toFile: "run.h5")
            try index.close()
        }
        let index = try HDF5File(opening: directory.path("index.h5"))
        #expect(try index.readDataset("/runs/a/run/x", as: Double.self).values == [1.5, 2.5])
    }

    @Test func libraryVersionIsTheLinkedOne() {
        #expect(HDF5Library.version.split(separator: ".").count == 3)
        #expect(HDF5Library.version.hasPrefix("1."))
    }
}
