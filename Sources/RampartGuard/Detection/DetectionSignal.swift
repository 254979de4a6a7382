/// One kind of evidence the detection engine weighs. Each is measured per key (account,
/// session, device, IP, subnet) and turned into risk points by its ``DetectionPolicy/Scale``.
public enum DetectionSignal: String, Sendable, CaseIterable, Codable {
    /// Requests in about the last minute.
    case burstRate
    /// Requests in about the last hour.
    case hourlyRate
    /// Requests in about the last day.
    case dailyRate
    /// Requests refused by a hard rate limit in about the last hour.
    case rateLimitHits
    /// Inter-arrival times too even for a person (burstiness near −1).
    case regularTiming
    /// Distinct profiles opened in about the last hour.
    case hourlyBreadth
    /// Distinct profiles opened in about the last day.
    case dailyBreadth
    /// Distinct members seen in any form — profiles, search cards, list cards — in about the
    /// last hour: a harvester of cards never opens a profile.
    case hourlyReach
    /// As ``hourlyReach``, in about the last day.
    case dailyReach
    /// Share of profile views outside the viewer's network, company and schools.
    case outOfNetwork
    /// Search result pages walked one after the other.
    case searchPaging
    /// Other members' connection lists walked.
    case listWalking
    /// Hours of the last 24 with activity: people sleep.
    case roundTheClock
    /// Share of profile views with no search or list before them.
    case detailWithoutList
    /// Web pages viewed by a session that never loaded the pages' stylesheet.
    case pagesWithoutAssets
    /// Request headers that do not fit the browser the client claims to be, or an automation tool.
    case clientFingerprint
    /// `Forwarded` / `X-Forwarded-For` headers sent by a client that is not a trusted proxy.
    case forgedForwarding
    /// Request-signature failures and sealed IDs used by someone they were not issued to.
    case sealedIDMisuse
    /// The account was registered in a burst of registrations from one subnet.
    case registrationBurst
    /// Hours of about the last day in which the exposure budget refused a request and the
    /// account kept asking: members stop at the limit (or never reach it), scripts retry.
    case budgetRefusals
    /// Days of the last seven on which the account reached its budget's warning or limit.
    case budgetDays

    /// The shipped scales. Tuned so that an ordinary member (a few sessions a day, mostly
    /// their own network, human pauses) stays far below the first rung.
    public static let defaultScales: [String: DetectionPolicy.Scale] = {
        func scale(_ start: Double, _ full: Double, _ weight: Double) -> DetectionPolicy.Scale {
            DetectionPolicy.Scale(start: start, full: full, weight: weight)
        }
        let scales: [DetectionSignal: DetectionPolicy.Scale] = [
            .burstRate: scale(20, 60, 15),
            .hourlyRate: scale(300, 900, 15),
            .dailyRate: scale(1_500, 5_000, 20),
            .rateLimitHits: scale(0, 5, 30),
            .regularTiming: scale(0.5, 0.85, 25),
            .hourlyBreadth: scale(40, 150, 35),
            .dailyBreadth: scale(150, 600, 40),
            .hourlyReach: scale(120, 400, 30),
            .dailyReach: scale(400, 1_500, 40),
            .outOfNetwork: scale(0.75, 0.98, 15),
            .searchPaging: scale(6, 30, 25),
            .listWalking: scale(6, 30, 25),
            .roundTheClock: scale(17, 23, 35),
            .detailWithoutList: scale(0.4, 0.9, 20),
            .pagesWithoutAssets: scale(10, 40, 15),
            .clientFingerprint: scale(0, 2, 20),
            .forgedForwarding: scale(0, 1, 10),
            .sealedIDMisuse: scale(0, 5, 45),
            .registrationBurst: scale(0, 1, 20),
            .budgetRefusals: scale(0, 3, 40),
            .budgetDays: scale(1, 3, 50),
        ]
        return Dictionary(uniqueKeysWithValues: scales.map { ($0.key.rawValue, $0.value) })
    }()

    /// The signal in words an analyst can read, with the measured value.
    public func describe(_ value: Double) -> String {
        let count = Int(value.rounded())
        let share = Int((value * 100).rounded())
        switch self {
        case .burstRate: return "about \(count) requests in the last minute"
        case .hourlyRate: return "about \(count) requests in the last hour"
        case .dailyRate: return "about \(count) requests in the last day"
        case .rateLimitHits: return "\(count) requests over a hard rate limit in the last hour"
        case .regularTiming:
            return "requests arrive at machine-regular intervals (burstiness \(String(format: "%.2f", -value)); people are above 0)"
        case .hourlyBreadth: return "about \(count) different profiles opened in the last hour"
        case .dailyBreadth: return "about \(count) different profiles opened in the last day"
        case .hourlyReach: return "about \(count) different members seen (profiles, search and list cards) in the last hour"
        case .dailyReach: return "about \(count) different members seen (profiles, search and list cards) in the last day"
        case .outOfNetwork: return "\(share)% of profiles viewed are outside the member's network, company and schools"
        case .searchPaging: return "about \(count) search result pages walked in sequence in the last hour"
        case .listWalking: return "about \(count) other members' connection lists walked in the last hour"
        case .roundTheClock: return "active in \(count) of the last 24 hours"
        case .detailWithoutList: return "\(share)% of profile views had no search or list before them"
        case .pagesWithoutAssets: return "\(count) web pages viewed without ever loading their stylesheet"
        case .clientFingerprint: return "request headers do not fit the claimed browser (\(count) anomalies)"
        case .forgedForwarding: return "sent forwarding headers without being a trusted proxy (\(count) in the last hour)"
        case .sealedIDMisuse: return "\(count) forged, foreign or unsigned requests in the last day"
        case .registrationBurst: return "registered in a burst of sign-ups from one network"
        case .budgetRefusals: return "refused by the exposure budget in \(count) of about the last 24 hours, and kept asking"
        case .budgetDays: return "reached the exposure budget's warning or limit on \(count) of the last 7 days"
        }
    }

    /// Signals that describe one person's behaviour; on an IP address or subnet, which many
    /// people may share, only the shared-nothing signals count.
    var appliesToSharedAddresses: Bool {
        switch self {
        case .rateLimitHits, .clientFingerprint, .forgedForwarding, .sealedIDMisuse: true
        default: false
        }
    }
}
