/// What one instance's detection engine saw that the engines of the other instances sharing
/// its database must see too: the part of a request (or a registration) that touches a key
/// no single instance owns — the IP address, its subnet, and the cluster of linked accounts.
/// An account's own keys (account, session, device) stay with the instance that owns the
/// account; these are exchanged (``DetectionEngine/takeJournal()``,
/// ``DetectionEngine/absorb(_:)``), so a farm spread over instances is counted as on one.
public enum PeerObservation: Sendable, Equatable {
    /// A request (or an observation such as a page asset), without account, session or device.
    case request(GuardEvent)
    /// An account registered from this address (the subnet's registration burst).
    case registration(IPAddress)

    /// The shared part of `event`, or nil when it touches no shared key.
    init?(sharing event: GuardEvent) {
        guard event.ip != nil || event.cluster != nil else { return nil }
        var shared = event
        shared.account = nil
        shared.session = nil
        shared.device = nil
        self = .request(shared)
    }
}

/// The bytes of a batch of ``PeerObservation``s, as instances exchange them through their
/// database: a version byte, then each observation in a few fixed-width fields (little
/// endian). Decoding checks every length: a damaged batch is refused whole, never half read.
public enum PeerObservationCodec {
    static let version: UInt8 = 1

    public static func encode(_ observations: [PeerObservation]) -> [UInt8] {
        var writer = LittleEndianWriter()
        writer.bytes.reserveCapacity(1 + observations.count * 32)
        writer.put(version)
        for observation in observations {
            switch observation {
            case .registration(let ip):
                writer.put(UInt8(2))
                put(ip, into: &writer)
            case .request(let event):
                writer.put(UInt8(1))
                put(event.action, into: &writer)
                writer.put(event.channel.rawValue)
                let flags: UInt8 = (event.ip != nil ? 1 : 0) | (event.cluster != nil ? 2 : 0) | (event.forgedForwarding ? 4 : 0)
                writer.put(flags)
                if let ip = event.ip { put(ip, into: &writer) }
                if let cluster = event.cluster { writer.put(cluster) }
                writer.put(UInt8(clamping: event.fingerprintAnomalies))
                writer.put(event.budget.rawValue)
            }
        }
        return writer.bytes
    }

    /// The observations in `bytes`, or nil if they are not a batch this version wrote.
    public static func decode(_ bytes: [UInt8]) -> [PeerObservation]? {
        var reader = LittleEndianReader(bytes)
        guard reader.read(UInt8.self) == version else { return nil }
        var observations: [PeerObservation] = []
        while !reader.atEnd {
            switch reader.read(UInt8.self) {
            case 2:
                guard let ip = ip(from: &reader) else { return nil }
                observations.append(.registration(ip))
            case 1:
                guard let action = action(from: &reader), let channel = reader.read(UInt8.self).flatMap(GuardEvent.Channel.init(rawValue:)),
                    let flags = reader.read(UInt8.self)
                else { return nil }
                var event = GuardEvent(action, channel: channel, forgedForwarding: flags & 4 != 0)
                if flags & 1 != 0 {
                    guard let ip = ip(from: &reader) else { return nil }
                    event.ip = ip
                }
                if flags & 2 != 0 {
                    guard let cluster = reader.read(Int64.self) else { return nil }
                    event.cluster = cluster
                }
                guard let anomalies = reader.read(UInt8.self), let budget = reader.read(UInt8.self).flatMap(GuardEvent.BudgetPressure.init(rawValue:))
                else { return nil }
                event.fingerprintAnomalies = Int(anomalies)
                event.budget = budget
                observations.append(.request(event))
            default:
                return nil
            }
        }
        return observations
    }

    private static func put(_ ip: IPAddress, into writer: inout LittleEndianWriter) {
        writer.put(UInt8(ip.isIPv4 ? 4 : 6))
        writer.put(ip.hi)
        writer.put(ip.lo)
    }

    private static func put(_ action: GuardEvent.Action, into writer: inout LittleEndianWriter) {
        switch action {
        case .profileView(let target, let proximity):
            writer.put(UInt8(1))
            writer.put(target)
            writer.put(proximity.rawValue)
        case .searchPage(let page):
            writer.put(UInt8(2))
            writer.put(Int64(page))
        case .connectionList(let owner, let page, let own):
            writer.put(UInt8(3))
            writer.put(owner)
            writer.put(Int64(page))
            writer.put(UInt8(own ? 1 : 0))
        case .listing: writer.put(UInt8(4))
        case .pageAsset: writer.put(UInt8(5))
        case .reach(let members):
            writer.put(UInt8(6))
            writer.put(Int64(members))
        case .misuse: writer.put(UInt8(7))
        case .other: writer.put(UInt8(8))
        }
    }

    /// A page number or count: refused beyond ±2³¹, which no request carries.
    private static func small(from reader: inout LittleEndianReader) -> Int? {
        guard let value = reader.read(Int64.self), abs(value) <= Int64(Int32.max) else { return nil }
        return Int(value)
    }

    private static func ip(from reader: inout LittleEndianReader) -> IPAddress? {
        guard let family = reader.read(UInt8.self), family == 4 || family == 6, let hi = reader.read(UInt64.self), let lo = reader.read(UInt64.self)
        else { return nil }
        if family == 4 { return hi == 0 && lo >> 32 == 0 ? IPAddress(ipv4: UInt32(lo)) : nil }
        return IPAddress(ipv6High: hi, low: lo)
    }

    private static func action(from reader: inout LittleEndianReader) -> GuardEvent.Action? {
        switch reader.read(UInt8.self) {
        case 1:
            guard let target = reader.read(Int64.self), let proximity = reader.read(UInt8.self).flatMap(GuardEvent.Proximity.init(rawValue:))
            else { return nil }
            return .profileView(target: target, proximity: proximity)
        case 2: return small(from: &reader).map { .searchPage(page: $0) }
        case 3:
            guard let owner = reader.read(Int64.self), let page = small(from: &reader), let own = reader.read(UInt8.self), own <= 1 else { return nil }
            return .connectionList(owner: owner, page: page, own: own == 1)
        case 4: return .listing
        case 5: return .pageAsset
        case 6: return small(from: &reader).map { .reach(members: $0) }
        case 7: return .misuse
        case 8: return .other
        default: return nil
        }
    }
}
