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
        var bytes: [UInt8] = [version]
        bytes.reserveCapacity(1 + observations.count * 32)
        for observation in observations {
            switch observation {
            case .registration(let ip):
                bytes.append(2)
                put(ip, into: &bytes)
            case .request(let event):
                bytes.append(1)
                put(event.action, into: &bytes)
                bytes.append(event.channel.rawValue)
                let flags: UInt8 = (event.ip != nil ? 1 : 0) | (event.cluster != nil ? 2 : 0) | (event.forgedForwarding ? 4 : 0)
                bytes.append(flags)
                if let ip = event.ip { put(ip, into: &bytes) }
                if let cluster = event.cluster { put(UInt64(bitPattern: cluster), into: &bytes) }
                bytes.append(UInt8(clamping: event.fingerprintAnomalies))
                bytes.append(event.budget.rawValue)
            }
        }
        return bytes
    }

    /// The observations in `bytes`, or nil if they are not a batch this version wrote.
    public static func decode(_ bytes: [UInt8]) -> [PeerObservation]? {
        var reader = Reader(bytes: bytes)
        guard reader.byte() == version else { return nil }
        var observations: [PeerObservation] = []
        while !reader.atEnd {
            switch reader.byte() {
            case 2:
                guard let ip = reader.ip() else { return nil }
                observations.append(.registration(ip))
            case 1:
                guard let action = reader.action(), let channel = reader.byte().flatMap(GuardEvent.Channel.init(rawValue:)),
                    let flags = reader.byte()
                else { return nil }
                var event = GuardEvent(action, channel: channel, forgedForwarding: flags & 4 != 0)
                if flags & 1 != 0 {
                    guard let ip = reader.ip() else { return nil }
                    event.ip = ip
                }
                if flags & 2 != 0 {
                    guard let cluster = reader.word() else { return nil }
                    event.cluster = Int64(bitPattern: cluster)
                }
                guard let anomalies = reader.byte(), let budget = reader.byte().flatMap(GuardEvent.BudgetPressure.init(rawValue:)) else { return nil }
                event.fingerprintAnomalies = Int(anomalies)
                event.budget = budget
                observations.append(.request(event))
            default:
                return nil
            }
        }
        return observations
    }

    private static func put(_ word: UInt64, into bytes: inout [UInt8]) {
        for shift in stride(from: 0, to: 64, by: 8) { bytes.append(UInt8(truncatingIfNeeded: word >> UInt64(shift))) }
    }

    private static func put(_ ip: IPAddress, into bytes: inout [UInt8]) {
        bytes.append(ip.isIPv4 ? 4 : 6)
        put(ip.hi, into: &bytes)
        put(ip.lo, into: &bytes)
    }

    private static func put(_ action: GuardEvent.Action, into bytes: inout [UInt8]) {
        switch action {
        case .profileView(let target, let proximity):
            bytes.append(1)
            put(UInt64(bitPattern: target), into: &bytes)
            bytes.append(proximity.rawValue)
        case .searchPage(let page):
            bytes.append(2)
            put(UInt64(bitPattern: Int64(page)), into: &bytes)
        case .connectionList(let owner, let page, let own):
            bytes.append(3)
            put(UInt64(bitPattern: owner), into: &bytes)
            put(UInt64(bitPattern: Int64(page)), into: &bytes)
            bytes.append(own ? 1 : 0)
        case .listing: bytes.append(4)
        case .pageAsset: bytes.append(5)
        case .reach(let members):
            bytes.append(6)
            put(UInt64(bitPattern: Int64(members)), into: &bytes)
        case .misuse: bytes.append(7)
        case .other: bytes.append(8)
        }
    }

    private struct Reader {
        let bytes: [UInt8]
        var position = 0

        var atEnd: Bool { position >= bytes.count }

        mutating func byte() -> UInt8? {
            guard position < bytes.count else { return nil }
            defer { position += 1 }
            return bytes[position]
        }

        mutating func word() -> UInt64? {
            guard bytes.count - position >= 8 else { return nil }
            var word: UInt64 = 0
            for index in 0..<8 { word |= UInt64(bytes[position + index]) << UInt64(8 * index) }
            position += 8
            return word
        }

        /// A page number or count: refused beyond ±2³¹, which no request carries.
        mutating func small() -> Int? {
            guard let word = word() else { return nil }
            let value = Int64(bitPattern: word)
            return abs(value) <= Int64(Int32.max) ? Int(value) : nil
        }

        mutating func ip() -> IPAddress? {
            guard let family = byte(), family == 4 || family == 6, let hi = word(), let lo = word() else { return nil }
            if family == 4 { return hi == 0 && lo >> 32 == 0 ? IPAddress(ipv4: UInt32(lo)) : nil }
            return IPAddress(ipv6High: hi, low: lo)
        }

        mutating func action() -> GuardEvent.Action? {
            switch byte() {
            case 1:
                guard let target = word(), let proximity = byte().flatMap(GuardEvent.Proximity.init(rawValue:)) else { return nil }
                return .profileView(target: Int64(bitPattern: target), proximity: proximity)
            case 2: return small().map { .searchPage(page: $0) }
            case 3:
                guard let owner = word(), let page = small(), let own = byte(), own <= 1 else { return nil }
                return .connectionList(owner: Int64(bitPattern: owner), page: page, own: own == 1)
            case 4: return .listing
            case 5: return .pageAsset
            case 6: return small().map { .reach(members: $0) }
            case 7: return .misuse
            case 8: return .other
            default: return nil
            }
        }
    }
}
