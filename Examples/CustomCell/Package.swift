// swift-tools-version: 6.0
import PackageDescription

/// A downstream package with a cell GRULab does not build in: haste's layer-normalised GRU,
/// written as one differentiable step and registered by name.
let package = Package(
    name: "CustomCell",
    platforms: [.macOS(.v14)],
    products: [
        .library(name: "CustomCell", targets: ["CustomCell"]),
        .executable(name: "grulab-custom", targets: ["grulab-custom"]),
    ],
    dependencies: [
        .package(name: "GRULab", path: "../.."),
    ],
    targets: [
        .target(
            name: "CustomCell",
            dependencies: [
                .product(name: "GRULabTensor", package: "GRULab"),
                .product(name: "GRULabCells", package: "GRULab"),
                .product(name: "GRULabAutodiff", package: "GRULab"),
            ]
        ),
        /// GRULab's command line with this package's cells; GRULab's plugin runs it.
        .executableTarget(
            name: "grulab-custom",
            dependencies: ["CustomCell", .product(name: "GRULabCLI", package: "GRULab")]
        ),
        .testTarget(name: "CustomCellTests", dependencies: ["CustomCell"]),
    ]
)
