/// An annotated tag: names an object of some type, optionally says who tagged it, and
/// carries a message (a PGP signature, if any, is part of the message).
public struct Tag: Sendable, Hashable {
    public var object: ObjectID
    public var objectType: ObjectType
    public var name: String
    public var tagger: Signature?
    /// Headers after `tagger` that the model does not interpret, kept verbatim.
    public var extraHeaders: [ExtraHeader]
    public var message: [UInt8]

    public init(object: ObjectID, objectType: ObjectType, name: String, tagger: Signature?,
                extraHeaders: [ExtraHeader] = [], message: [UInt8]) {
        self.object = object
        self.objectType = objectType
        self.name = name
        self.tagger = tagger
        self.extraHeaders = extraHeaders
        self.message = message
    }

    public var messageText: String { String(decoding: message, as: UTF8.self) }

    public init(parsing body: [UInt8]) throws {
        let headers = try ObjectHeaders.parse(body, type: .tag)
        var object: ObjectID?
        var type: ObjectType?
        var name: String?
        var tagger: Signature?
        var extras: [ExtraHeader] = []
        for field in headers.fields {
            func fail(_ reason: String) -> GitObjectError {
                GitObjectError(type: .tag, offset: field.offset, reason: reason)
            }
            let text = String(decoding: field.value, as: UTF8.self)
            switch field.key {
            case "object" where object == nil:
                guard let id = ObjectID(hex: text) else { throw fail("bad object id") }
                object = id
            case "type" where object != nil && type == nil:
                guard let parsed = ObjectType(name: text) else { throw fail("unknown object type '\(text)'") }
                type = parsed
            case "tag" where type != nil && name == nil:
                name = text
            case "tagger" where name != nil && tagger == nil && extras.isEmpty:
                let signature = Signature(lenient: field.value)
                tagger = signature
            case "object", "type", "tag", "tagger":
                throw fail("unexpected or repeated '\(field.key)' header")
            default:
                guard name != nil else { throw fail("header '\(field.key)' before tag name") }
                extras.append(ExtraHeader(key: field.key, value: field.value))
            }
        }
        guard let object else { throw GitObjectError(type: .tag, offset: 0, reason: "missing object header") }
        guard let type else { throw GitObjectError(type: .tag, offset: 0, reason: "missing type header") }
        guard let name else { throw GitObjectError(type: .tag, offset: 0, reason: "missing tag header") }
        self.init(object: object, objectType: type, name: name, tagger: tagger,
                  extraHeaders: extras, message: headers.message)
    }

    public func serialized() -> [UInt8] {
        var out: [UInt8] = []
        out.reserveCapacity(200 + message.count)
        ObjectHeaders.append(key: "object", value: Array(object.hex.utf8), to: &out)
        ObjectHeaders.append(key: "type", value: Array(objectType.name.utf8), to: &out)
        ObjectHeaders.append(key: "tag", value: Array(name.utf8), to: &out)
        if let tagger {
            ObjectHeaders.append(key: "tagger", value: tagger.serialized(), to: &out)
        }
        for header in extraHeaders {
            ObjectHeaders.append(key: header.key, value: header.value, to: &out)
        }
        out.append(UInt8(ascii: "\n"))
        out.append(contentsOf: message)
        return out
    }
}
