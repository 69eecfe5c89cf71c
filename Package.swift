// swift-tools-version: 6.0
import PackageDescription

let package = Package(
    name: "GRULab",
    platforms: [.macOS(.v14)],
    products: [
        .library(name: "GRULabTensor", targets: ["GRULabTensor"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-numerics", from: "1.1.1"),
    ],
    targets: [
        // MARK: - Public API

        /// Dense row-major tensors over Float and Double, BLAS matmul, kernels, RNG, initialisers.
        .target(
            name: "GRULabTensor",
            dependencies: [
                "CBLAS",
                .product(name: "RealModule", package: "swift-numerics"),
            ]
        ),
        /// Typed Swift wrapper over the HDF5 C library and the results schema.
        .target(name: "GRULabHDF5", dependencies: ["CHDF5"]),

        // MARK: - Implementation details

        .systemLibrary(name: "CBLAS", pkgConfig: "openblas", providers: [.apt(["libopenblas-dev"])]),
        .systemLibrary(name: "CHDF5", pkgConfig: "hdf5", providers: [.apt(["libhdf5-dev"])]),

        // MARK: - Tests

        .testTarget(name: "GRULabHDF5Tests", dependencies: ["GRULabHDF5", "HDF5WriterProbe"]),
        /// Writes sample, crash-test and out-of-space run files for the HDF5 tests (Swift and
        /// Python); not a product.
        .executableTarget(name: "HDF5WriterProbe", dependencies: ["GRULabHDF5"], path: "Tests/HDF5WriterProbe"),
    ]
)
