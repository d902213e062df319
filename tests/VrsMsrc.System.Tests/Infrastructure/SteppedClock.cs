using Microsoft.Extensions.Time.Testing;

namespace VrsMsrc.System.Tests.Infrastructure;

/// <summary>
/// A moved clock that knows when the code on it waits. <see cref="StepAsync"/> jumps straight to the
/// next timer due, then waits in real time until the code woken by it waits on the clock again, so that
/// days pass in as many steps as the code has waits, and no step races ahead of real work (a TLS
/// handshake, an fsync) the way advancing a fixed amount per real millisecond does.
/// </summary>
internal sealed class SteppedClock(DateTimeOffset start) : TimeProvider
{
    private readonly FakeTimeProvider _fake = new(start);
    private readonly List<SteppedTimer> _timers = [];

    public override DateTimeOffset GetUtcNow() => _fake.GetUtcNow();

    public override long GetTimestamp() => _fake.GetTimestamp();

    public override long TimestampFrequency => _fake.TimestampFrequency;

    public override TimeZoneInfo LocalTimeZone => TimeZoneInfo.Utc;

    public override ITimer CreateTimer(TimerCallback callback, object? state, TimeSpan dueTime, TimeSpan period)
    {
        var timer = new SteppedTimer(this, callback);
        lock (_timers)
        {
            _timers.Add(timer);
        }

        timer.Start(dueTime, period, state);
        return timer;
    }

    private DateTimeOffset? NextDue()
    {
        lock (_timers)
        {
            return _timers.Where(t => t.Due is not null).Select(t => t.Due).Min();
        }
    }

    private int Waiting()
    {
        lock (_timers)
        {
            return _timers.Count(t => t.Due is not null);
        }
    }

    /// <summary>Waits in real time until the code on this clock waits on it again: its work is done.</summary>
    private async Task QuietAsync()
    {
        var deadline = DateTime.UtcNow.AddSeconds(30);
        while (Waiting() == 0)
        {
            if (DateTime.UtcNow > deadline)
            {
                throw new TimeoutException("nothing waited on the clock within 30 s of real time");
            }

            await Task.Delay(1);
        }
    }

    /// <summary>Once the code is quiet, jumps to its next timer if that is due by <paramref name="limit"/>; else to the limit, and false.</summary>
    private async Task<bool> StepAsync(DateTimeOffset limit)
    {
        await QuietAsync();
        var now = GetUtcNow();
        if (NextDue() is { } due && due <= limit)
        {
            _fake.Advance(due > now ? due - now : TimeSpan.Zero);
            return true;
        }

        _fake.Advance(limit > now ? limit - now : TimeSpan.Zero);
        return false;
    }

    /// <summary>Steps timer by timer until <paramref name="until"/> holds once the code is quiet; returns the clock time it took.</summary>
    public async Task<TimeSpan> StepUntilAsync(Func<bool> until, TimeSpan within, string what)
    {
        var start = GetUtcNow();
        while (true)
        {
            await QuietAsync();
            if (until())
            {
                return GetUtcNow() - start;
            }

            if (!await StepAsync(start + within))
            {
                throw new TimeoutException($"not within {within} of clock time: {what}");
            }
        }
    }

    /// <summary>Lets <paramref name="duration"/> pass, waking the waiting code as often as it asks to be woken.</summary>
    public async Task PassAsync(TimeSpan duration)
    {
        var end = GetUtcNow() + duration;
        while (await StepAsync(end))
        {
        }
    }

    /// <summary>Lets <paramref name="duration"/> pass in one jump: the waiting code wakes once, late, as after a suspended laptop.</summary>
    public void Jump(TimeSpan duration) => _fake.Advance(duration);

    private sealed class SteppedTimer(SteppedClock clock, TimerCallback callback) : ITimer
    {
        private ITimer? _inner;
        private TimeSpan _period = Timeout.InfiniteTimeSpan;

        /// <summary>When the timer fires next; null while it is not armed.</summary>
        public DateTimeOffset? Due { get; private set; }

        public void Start(TimeSpan dueTime, TimeSpan period, object? state)
        {
            Arm(dueTime, period);
            _inner = clock._fake.CreateTimer(Fire, state, dueTime, period);
        }

        private void Fire(object? state)
        {
            lock (clock._timers)
            {
                Due = _period == Timeout.InfiniteTimeSpan ? null : clock.GetUtcNow() + _period;
            }

            callback(state);
        }

        private void Arm(TimeSpan dueTime, TimeSpan period)
        {
            lock (clock._timers)
            {
                _period = period;
                Due = dueTime == Timeout.InfiniteTimeSpan ? null : clock.GetUtcNow() + dueTime;
            }
        }

        public bool Change(TimeSpan dueTime, TimeSpan period)
        {
            Arm(dueTime, period);
            return _inner?.Change(dueTime, period) ?? false;
        }

        public void Dispose()
        {
            lock (clock._timers)
            {
                Due = null;
                clock._timers.Remove(this);
            }

            _inner?.Dispose();
        }

        public ValueTask DisposeAsync()
        {
            Dispose();
            return ValueTask.CompletedTask;
        }
    }
}
