import Foundation
import RampartCore
import Testing

@Suite("ManualWallClock")
struct ManualWallClockTests {
    @Test func itStartsAtAFixedDefaultInstant() {
        #expect(ManualWallClock().now() == Date(timeIntervalSince1970: 1_800_000_000))
    }

    @Test func itStartsWhereItIsTold() {
        let start = Date(timeIntervalSince1970: 1_234_567)
        #expect(ManualWallClock(start).now() == start)
    }

    @Test func timeStandsStillUntilTheClockIsMoved() {
        let clock = ManualWallClock()
        let first = clock.now()
        for _ in 0..<100 {
            #expect(clock.now() == first)
        }
    }

    @Test(arguments: [1.0, 0.25, 59.5, 3600, 31_536_000] as [TimeInterval])
    func advanceMovesTimeForwardByExactlyThatMuch(_ seconds: TimeInterval) {
        let clock = ManualWallClock()
        let before = clock.now()
        clock.advance(by: seconds)
        #expect(clock.now().timeIntervalSince(before) == seconds)
    }

    @Test func advancesAccumulate() {
        let clock = ManualWallClock()
        let start = clock.now()
        for _ in 0..<10 { clock.advance(by: 6) }
        #expect(clock.now() == start.addingTimeInterval(60))
    }

    @Test func aNegativeAdvanceMovesTimeBackwards() {
        let clock = ManualWallClock()
        let start = clock.now()
        clock.advance(by: -30)
        #expect(clock.now() == start.addingTimeInterval(-30))
    }

    @Test func advancingByZeroChangesNothing() {
        let clock = ManualWallClock()
        let start = clock.now()
        clock.advance(by: 0)
        #expect(clock.now() == start)
    }

    @Test func setJumpsToAnyInstantForwardOrBack() {
        let clock = ManualWallClock()
        let later = Date(timeIntervalSince1970: 2_000_000_000)
        clock.set(later)
        #expect(clock.now() == later)
        let earlier = Date(timeIntervalSince1970: 0)
        clock.set(earlier)
        #expect(clock.now() == earlier)
        clock.advance(by: 5)
        #expect(clock.now() == Date(timeIntervalSince1970: 5))
    }

    @Test func itCanBeSharedAsAnyWallClock() {
        let manual = ManualWallClock()
        let clock: any WallClock = manual
        manual.advance(by: 10)
        #expect(clock.now() == manual.now())
    }

    @Test func concurrentAdvancesAreNeverLost() async {
        let clock = ManualWallClock()
        let start = clock.now()
        await withTaskGroup(of: Void.self) { group in
            for _ in 0..<1_000 {
                group.addTask { clock.advance(by: 1) }
            }
        }
        #expect(clock.now() == start.addingTimeInterval(1_000))
    }

    @Test func theSystemClockTellsTheRealTime() {
        let before = Date()
        let now = SystemWallClock().now()
        let after = Date()
        #expect(before <= now && now <= after)
    }
}
