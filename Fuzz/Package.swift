// swift-tools-version: 6.0
import PackageDescription

/// Coverage-guided fuzzing of GRULab's readers with libFuzzer, kept out of the library's
/// package: it builds only with `--sanitize=fuzzer`. Run it with `scripts/fuzz` from the
/// repository root (docs/reliability.md).
let package = Package(
    name: "GRULabFuzz",
    platforms: [.macOS(.v14)],
    dependencies: [
        .package(name: "GRULab", path: ".."),
    ],
    targets: [
        /// One libFuzzer binary for every target; `GRULAB_FUZZ_TARGET` picks one.
        .executableTarget(
            name: "grulab-fuzz",
            dependencies: [
                .product(name: "GRULabExperiments", package: "GRULab"),
                .product(name: "GRULabParity", package: "GRULab"),
            ]
        ),
    ]
)
