import CBLAS

/// The BLAS library in use and how it was built, e.g. `OpenBLAS 0.3.21 DYNAMIC_ARCH …`,
/// recorded in every run's results.
public var blasDescription: String {
    guard let config = openblas_get_config() else { return "OpenBLAS" }
    return String(cString: config).split(separator: " ").joined(separator: " ")
}
