/// The spatial layout of a convolutional cell's inputs and state: feature maps of `Y` rows and
/// `X` columns, and the side `k` of its square kernels.
///
/// A convolutional cell keeps the ``RecurrentCell`` interface by flattening each frame
/// row-major: an input frame `[C_in, Y, X]` is a row of `C = C_in·Y·X` features, the state
/// `[H_c, Y, X]` a row of `H = H_c·Y·X`. Because channels are the outermost axis, the
/// framework's concatenation of two directions' states is the channel concatenation
/// `[2·H_c, Y, X]`, so stacked and bidirectional layers need nothing special.
public struct FeatureMap: Sendable, Hashable {
    /// `Y`.
    public var height: Int
    /// `X`.
    public var width: Int
    /// `k`: odd, so that 'same' zero padding of `k / 2` on each side keeps `Y × X`.
    public var kernelSize: Int

    public init(height: Int, width: Int, kernelSize: Int) {
        self.height = height
        self.width = width
        self.kernelSize = kernelSize
    }

    /// `Y·X`: the features of one channel.
    public var pixels: Int { height * width }

    /// Checks the sizes are positive and the kernel odd.
    public func validate() throws {
        guard height >= 1, width >= 1 else { throw FeatureMapError.size(height: height, width: width) }
        guard kernelSize >= 1, kernelSize % 2 == 1 else { throw FeatureMapError.kernelSize(kernelSize) }
    }
}

/// A ``FeatureMap`` a convolutional cell cannot use.
public enum FeatureMapError: Error, CustomStringConvertible, Equatable {
    case size(height: Int, width: Int)
    case kernelSize(Int)
    /// The flat size `features` is not a whole number of `Y·X` channel maps.
    case notWholeChannels(name: String, features: Int, pixels: Int)

    public var description: String {
        switch self {
        case let .size(height, width): "feature maps must be at least 1 x 1, got \(height) x \(width)"
        case let .kernelSize(k): "kernel_size must be an odd positive integer ('same' padding), got \(k)"
        case let .notWholeChannels(name, features, pixels):
            "\(name) \(features) is not a whole number of \(pixels)-pixel channel maps"
        }
    }
}
