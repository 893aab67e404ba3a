/// A broken link found while walking the object graph.
public enum ReachabilityError: Error, CustomStringConvertible, Sendable, Equatable {
    /// `id` is not available; `referencedBy` names the object that points to it, if any.
    case missingObject(ObjectID, referencedBy: ObjectID?)
    /// `id` exists but is not of the type its referrer says it is.
    case wrongType(ObjectID, expected: ObjectType, actual: ObjectType)

    public var description: String {
        switch self {
        case let .missingObject(id, referrer?): "missing object \(id) (referenced by \(referrer))"
        case let .missingObject(id, nil): "missing object \(id)"
        case let .wrongType(id, expected, actual): "object \(id) is a \(actual), expected a \(expected)"
        }
    }
}
