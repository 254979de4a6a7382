import Foundation
import RampartCore

/// How long a session lives on the server, whatever the cookie or the client says: it ends
/// after `idle` without use and `absolute` after it began, and the member signs in again.
public enum SessionLifetime {
    /// Unused this long, a session ends: a web session after two weeks, an app's after a month.
    public static func idle(_ kind: Session.Kind) -> TimeInterval {
        switch kind {
        case .web: 14 * 86_400
        case .api: 30 * 86_400
        }
    }

    /// However much it is used, a session ends this long after it began (90 days).
    public static let absolute: TimeInterval = 90 * 86_400

    /// Whether `session` may still be used at `now`.
    public static func isLive(_ session: Session, at now: Date) -> Bool {
        now.timeIntervalSince(session.lastSeenAt) <= idle(session.kind) && now.timeIntervalSince(session.createdAt) <= absolute
    }
}
