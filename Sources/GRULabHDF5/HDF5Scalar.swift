import CHDF5

/// The element types a dataset can hold.
public enum HDF5ElementType: String, Sendable {
    case float32, float64, int32, int64

    var nativeType: hid_t {
        switch self {
        case .float32: return grulab_h5t_native_float()
        case .float64: return grulab_h5t_native_double()
        case .int32: return grulab_h5t_native_int32()
        case .int64: return grulab_h5t_native_int64()
        }
    }

    var isFloatingPoint: Bool { self == .float32 || self == .float64 }
}

/// A Swift number type that maps one to one onto an HDF5 native type.
public protocol HDF5Scalar: Sendable {
    static var elementType: HDF5ElementType { get }
}

extension Float: HDF5Scalar {
    public static var elementType: HDF5ElementType { .float32 }
}

extension Double: HDF5Scalar {
    public static var elementType: HDF5ElementType { .float64 }
}

extension Int32: HDF5Scalar {
    public static var elementType: HDF5ElementType { .int32 }
}

extension Int64: HDF5Scalar {
    public static var elementType: HDF5ElementType { .int64 }
}

/// The contents of a dataset read back: its shape and its elements in row-major order.
public struct HDF5Array<Element: HDF5Scalar>: Sendable {
    public var shape: [Int]
    public var values: [Element]

    public init(shape: [Int], values: [Element]) {
        self.shape = shape
        self.values = values
    }
}

extension HDF5Array: Equatable where Element: Equatable {}
