// swift-tools-version: 6.0
import PackageDescription

/// Benchmarks of GRULab against PyTorch, kept out of the library's package so the library
/// never depends on them. Run everything with `scripts/bench` from the repository root.
let package = Package(
    name: "GRULabBenchmarks",
    platforms: [.macOS(.v14)],
    dependencies: [
        .package(name: "GRULab", path: ".."),
    ],
    targets: [
        /// Times GRULab's side of each benchmark and prints one JSON line per configuration.
        .executableTarget(
            name: "grulab-bench",
            dependencies: [
                .product(name: "GRULabTensor", package: "GRULab"),
                .product(name: "GRULabCells", package: "GRULab"),
                .product(name: "GRULabAutodiff", package: "GRULab"),
            ]
        ),
    ]
)
