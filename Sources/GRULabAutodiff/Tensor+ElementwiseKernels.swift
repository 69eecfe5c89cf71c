import GRULabTensor

// The loops of the differentiable vocabulary. A custom step, and the pullbacks the compiler
// derives from it, run generic over their scalar, and a generic loop pays a witness call or a
// metadata lookup per element. So the operations are named by enums, not passed as closures,
// and each loop is one function specialised for Float and Double: `@_specialize` makes its
// generic entry dispatch to the specialisation at run time, once per tensor.
extension Tensor {
    /// A binary elementwise operation.
    enum BinaryOperation {
        case add, subtract, multiply, divide
    }

    /// A unary elementwise operation; the slopes take the function's output `y`.
    enum UnaryOperation {
        case negate, sigmoid, tanh, relu, squareRoot, exponential
        case adding(Scalar), multiplying(Scalar), subtractedFrom(Scalar)
        /// `y (1 - y)`, the sigmoid's derivative.
        case sigmoidSlope
        /// `1 - y²`, tanh's derivative.
        case tanhSlope
        /// 1 where `y > 0`, else 0: relu's derivative.
        case reluSlope
    }

    /// `a op b` elementwise, broadcasting.
    @_specialize(where Scalar == Float)
    @_specialize(where Scalar == Double)
    static func elementwise(_ a: Tensor, _ op: BinaryOperation, _ b: Tensor) -> Tensor {
        var (x, y) = (a, b)
        if a.shape != b.shape {
            guard let shape = broadcastShape(a.shape, b.shape) else {
                preconditionFailure("shapes \(a.shape) and \(b.shape) do not broadcast")
            }
            // Adding the zero tangent, which the pullbacks do at every fan-in, copies nothing.
            if op == .add, b.rank == 0, b.scalars[0] == 0, a.shape == shape { return a }
            if op == .add, a.rank == 0, a.scalars[0] == 0, b.shape == shape { return b }
            (x, y) = (a.broadcast(to: shape), b.broadcast(to: shape))
        }
        let n = x.count
        let out = [Scalar](unsafeUninitializedCapacity: n) { buffer, initialized in
            // Plain pointers: the compiler vectorises these loops, not ones through the inout buffer.
            guard n > 0, let q = buffer.baseAddress else { return }
            x.withUnsafeBufferPointer { px in
                y.withUnsafeBufferPointer { py in
                    let (u, w) = (px.baseAddress!, py.baseAddress!)
                    switch op {
                    case .add: for i in 0..<n { q[i] = u[i] + w[i] }
                    case .subtract: for i in 0..<n { q[i] = u[i] - w[i] }
                    case .multiply: for i in 0..<n { q[i] = u[i] * w[i] }
                    case .divide: for i in 0..<n { q[i] = u[i] / w[i] }
                    }
                }
            }
            initialized = n
        }
        return Tensor(shape: x.shape, scalars: out)
    }

    /// `op` applied to every element.
    @_specialize(where Scalar == Float)
    @_specialize(where Scalar == Double)
    func map(_ op: UnaryOperation) -> Tensor {
        var result = self
        result.withUnsafeMutableBufferPointer { buffer in
            guard let q = buffer.baseAddress else { return }
            let n = buffer.count
            switch op {
            case .negate: for i in 0..<n { q[i] = -q[i] }
            // Activation.apply is the built-in cells' kernel, so custom and built-in gates agree.
            case .sigmoid: Activation.sigmoid.apply(q, count: n)
            case .tanh: Activation.tanh.apply(q, count: n)
            case .relu: for i in 0..<n { q[i] = Swift.max(q[i], 0) }
            case .squareRoot: for i in 0..<n { q[i] = q[i].squareRoot() }
            case .exponential: for i in 0..<n { q[i] = Scalar.exp(q[i]) }
            case .adding(let s): for i in 0..<n { q[i] += s }
            case .multiplying(let s): for i in 0..<n { q[i] *= s }
            case .subtractedFrom(let s): for i in 0..<n { q[i] = s - q[i] }
            case .sigmoidSlope: for i in 0..<n { q[i] = q[i] * (1 - q[i]) }
            case .tanhSlope: for i in 0..<n { q[i] = 1 - q[i] * q[i] }
            case .reluSlope: for i in 0..<n { q[i] = q[i] > 0 ? 1 : 0 }
            }
        }
        return result
    }
}
