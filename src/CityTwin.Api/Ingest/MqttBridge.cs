using System.Buffers;
using System.Threading.Channels;
using CityTwin.Contracts.Assets;
using CityTwin.Domain.Ingest;
using Microsoft.Extensions.Options;
using MQTTnet;
using MQTTnet.Formatter;
using MQTTnet.Protocol;

namespace CityTwin.Api.Ingest;

/// <summary>
/// Subscribes to <c>city/{district}/{type}/{id}/telemetry</c> and applies the readings through the same router as
/// the HTTP batch. QoS 1 on a persistent session (fixed client id, clean start off, a session expiry), and a message
/// is acknowledged only once its readings were applied, so what the broker sent while the bridge was away or busy
/// is delivered, not lost. Messages that arrive together are applied as one batch. A bad message is counted, logged
/// (rate-limited) and acknowledged — never retried forever, never fatal; a lost broker is reconnected with
/// exponential backoff, and the subscription renewed — a refused sign-in (bad credentials) too, as the broker's
/// accounts may be fixed while it runs; each change of the connection's state is logged once, not every attempt.
/// </summary>
public sealed partial class MqttBridge(
    IOptions<MqttOptions> options, TelemetryRouter router, AssetPlaces places, MqttStatus status, IngestMetrics metrics,
    TimeProvider time, ILogger<MqttBridge> logger) : BackgroundService
{
    private readonly MqttOptions _options = options.Value;
    private readonly Channel<MqttApplicationMessageReceivedEventArgs> _arrivals =
        Channel.CreateBounded<MqttApplicationMessageReceivedEventArgs>(new BoundedChannelOptions(Math.Max(1, options.Value.ReceiveMaximum)) { SingleReader = true });
    private readonly object _warnings = new(); // batches in flight at once may warn at once
    private DateTimeOffset _lastWarning = DateTimeOffset.MinValue;
    private int _suppressedWarnings;

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        status.Configure($"{_options.Host}:{_options.Port}", _options.TopicFilter, _options.Username);
        using var client = new MqttClientFactory().CreateMqttClient(new CoalescingMqttChannel.AdapterFactory());
        client.ApplicationMessageReceivedAsync += async e =>
        {
            e.AutoAcknowledge = false; // acknowledged once applied (ApplyBatchAsync)
            await _arrivals.Writer.WriteAsync(e, stoppingToken);
        };
        var applying = Task.Run(() => ApplyArrivalsAsync(stoppingToken), CancellationToken.None);
        try
        {
            await StayConnectedAsync(client, stoppingToken);
        }
        finally
        {
            _arrivals.Writer.TryComplete();
            await applying;
            if (client.IsConnected)
                await client.DisconnectAsync(new MqttClientDisconnectOptionsBuilder().WithReason(MqttClientDisconnectOptionsReason.NormalDisconnection).Build(), CancellationToken.None);
        }
    }

    private async Task StayConnectedAsync(IMqttClient client, CancellationToken stop)
    {
        var connect = new MqttClientOptionsBuilder()
            .WithTcpServer(_options.Host, _options.Port)
            .WithClientId(_options.ClientId)
            .WithProtocolVersion(MqttProtocolVersion.V500)
            .WithCleanStart(false)
            .WithSessionExpiryInterval((uint)_options.SessionExpiry.TotalSeconds)
            .WithReceiveMaximum((ushort)Math.Clamp(_options.ReceiveMaximum, 1, ushort.MaxValue))
            .WithKeepAlivePeriod(TimeSpan.FromSeconds(15))
            .WithTimeout(TimeSpan.FromSeconds(10));
        if (!string.IsNullOrEmpty(_options.Username)) connect = connect.WithCredentials(_options.Username, _options.Password);
        var connectOptions = connect.Build();
        var subscribe = new MqttClientSubscribeOptionsBuilder()
            .WithTopicFilter(f => f.WithTopic(_options.TopicFilter).WithQualityOfServiceLevel(MqttQualityOfServiceLevel.AtLeastOnce))
            .Build();

        var backoff = _options.InitialBackoff;
        var everConnected = false;
        var logged = MqttConnectionState.Connecting; // the state last logged: a failure that repeats is not logged again
        while (!stop.IsCancellationRequested)
        {
            var lost = new TaskCompletionSource<string>(TaskCreationOptions.RunContinuationsAsynchronously);
            Task OnDisconnected(MqttClientDisconnectedEventArgs e)
            {
                lost.TrySetResult(e.Exception?.Message ?? e.ReasonString ?? e.Reason.ToString());
                return Task.CompletedTask;
            }
            client.DisconnectedAsync += OnDisconnected;
            string reason;
            var state = MqttConnectionState.Unreachable;
            try
            {
                // MQTTnet 5 answers a refused CONNECT with its reason code rather than an exception.
                var connected = await client.ConnectAsync(connectOptions, stop);
                if (connected.ResultCode != MqttClientConnectResultCode.Success)
                {
                    if (IsRefusal(connected.ResultCode)) state = MqttConnectionState.Refused;
                    reason = $"the broker refused the connection: {connected.ResultCode} (user '{_options.Username ?? "(anonymous)"}')";
                }
                else
                {
                    await client.SubscribeAsync(subscribe, stop); // renewed on every connection: a new session has none
                    status.Connected(reconnect: everConnected);
                    if (everConnected) metrics.Reconnected();
                    metrics.SetConnected(true);
                    LogConnected(_options.Host!, _options.Port, connected.IsSessionPresent);
                    logged = MqttConnectionState.Connected;
                    everConnected = true;
                    backoff = _options.InitialBackoff;
                    reason = await lost.Task.WaitAsync(stop);
                }
            }
            catch (OperationCanceledException) when (stop.IsCancellationRequested)
            {
                break;
            }
            catch (Exception e)
            {
                reason = e.Message;
            }
            finally
            {
                client.DisconnectedAsync -= OnDisconnected;
            }
            metrics.SetConnected(false);
            status.Disconnected(state, reason);
            if (state != logged)
            {
                if (state == MqttConnectionState.Refused) LogRefused(_options.Host!, _options.Port, reason, backoff);
                else LogBrokerLost(_options.Host!, _options.Port, reason, backoff);
                logged = state;
            }
            else LogStillDown(_options.Host!, _options.Port, reason, backoff);
            // Jittered so that many API replicas do not reconnect in lockstep.
            var wait = backoff * (0.8 + 0.4 * Random.Shared.NextDouble());
            try { await Task.Delay(wait, time, stop); }
            catch (OperationCanceledException) { break; }
            backoff = TimeSpan.FromTicks(Math.Min(backoff.Ticks * 2, _options.MaxBackoff.Ticks));
        }
        metrics.SetConnected(false);
    }

    /// <summary>
    /// Up to <see cref="MqttOptions.MaxBatchesInFlight"/> batches in the cluster at once — applying is most of a
    /// batch's time, and one at a time left the bridge idle while the grains worked — each acknowledged after it is
    /// applied and after the batch before it was acknowledged, so acknowledgements keep the order of arrival.
    /// </summary>
    private async Task ApplyArrivalsAsync(CancellationToken stop)
    {
        using var slots = new SemaphoreSlim(Math.Max(1, _options.MaxBatchesInFlight));
        var acknowledged = Task.CompletedTask; // the newest batch's turn: done once it and every earlier one acknowledged
        try
        {
            while (await _arrivals.Reader.WaitToReadAsync(stop))
            {
                await slots.WaitAsync(stop);
                // A moment for the messages arriving with this one: one call per district for a batch, not per message.
                if (_options.BatchWindow > TimeSpan.Zero && _arrivals.Reader.Count < _options.MaxBatchMessages)
                    await Task.Delay(_options.BatchWindow, time, stop);
                var batch = new List<MqttApplicationMessageReceivedEventArgs>();
                while (batch.Count < _options.MaxBatchMessages && _arrivals.Reader.TryRead(out var message)) batch.Add(message);
                acknowledged = ApplyInTurnAsync(batch, acknowledged, slots, stop);
            }
        }
        catch (OperationCanceledException) when (stop.IsCancellationRequested)
        {
        }
        await acknowledged.ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
    }

    private async Task ApplyInTurnAsync(List<MqttApplicationMessageReceivedEventArgs> batch, Task previous, SemaphoreSlim slots, CancellationToken stop)
    {
        try
        {
            await ApplyBatchAsync(batch, previous, stop);
        }
        catch (Exception e) when (e is not OperationCanceledException || !stop.IsCancellationRequested)
        {
            LogBatchFailed(batch.Count, e.Message); // never fatal: the next batch is tried
            await previous.ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing); // keep the turn order for the next one
        }
        finally
        {
            slots.Release();
        }
    }

    /// <param name="previous">The earlier batch's turn: this batch acknowledges only after it.</param>
    private async Task ApplyBatchAsync(List<MqttApplicationMessageReceivedEventArgs> batch, Task previous, CancellationToken stop)
    {
        status.Received(batch.Count);
        var outcomes = new string?[batch.Count];
        var counted = new Dictionary<string, int>();
        var readings = new List<TelemetryReading>(batch.Count);
        var firstReading = new int[batch.Count + 1]; // message m's readings are readings[firstReading[m]..firstReading[m+1]]
        var expected = new TelemetryTopic?[batch.Count];
        for (var m = 0; m < batch.Count; m++)
        {
            firstReading[m] = readings.Count;
            var message = batch[m].ApplicationMessage;
            if (TelemetryTopic.Parse(message.Topic) is not { } topic)
            {
                Bad(m, MqttOutcome.Malformed, message.Topic, "the topic is not city/{district}/{type}/{id}/telemetry with a known type and a valid id");
                continue;
            }
            var parsed = TelemetryBatchParser.ParseForAsset(Payload(message.Payload), topic.AssetId, _options.MaxReadingsPerMessage);
            if (parsed.TooMany) Bad(m, MqttOutcome.Malformed, message.Topic, $"more than {_options.MaxReadingsPerMessage:N0} readings in one message");
            else if (parsed.IsMalformed)
                Bad(m, MqttOutcome.Malformed, message.Topic, string.Join("; ", parsed.Errors.Take(5).Select(e => $"[{e.Index}] {e.Field}: {e.Message}")));
            else if (parsed.Readings.Count == 0) Bad(m, MqttOutcome.Malformed, message.Topic, "no readings");
            else
            {
                expected[m] = topic;
                readings.AddRange(parsed.Readings);
            }
        }
        firstReading[batch.Count] = readings.Count;

        // The topic names a type and a district; only the asset knows its own. The district matters: the broker lets a
        // device publish under its district's topics only, and the asset named there must be of that district too.
        var known = await places.GetAsync(expected.OfType<TelemetryTopic>().Select(t => (t.AssetId, t.District)), stop);
        var routed = new List<TelemetryReading>(readings.Count);
        var routedFrom = new List<int>(readings.Count);
        for (var m = 0; m < batch.Count; m++)
        {
            if (outcomes[m] is not null) continue;
            var id = readings[firstReading[m]].AssetId;
            var topic = expected[m]!;
            if (!known.TryGetValue(id, out var actual) || actual is null) Bad(m, MqttOutcome.UnknownAsset, batch[m].ApplicationMessage.Topic, $"no asset has the id '{id}'");
            else if (actual.Type != topic.Type)
                Bad(m, MqttOutcome.WrongType, batch[m].ApplicationMessage.Topic, $"'{id}' is a {actual.Type.ToString().ToLowerInvariant()}, not a {topic.Type.ToString().ToLowerInvariant()}");
            else if (actual.District != topic.District)
                Bad(m, MqttOutcome.WrongDistrict, batch[m].ApplicationMessage.Topic, $"'{id}' is in district '{actual.District}', not '{topic.District}'");
            else
                for (var r = firstReading[m]; r < firstReading[m + 1]; r++)
                {
                    routed.Add(readings[r]);
                    routedFrom.Add(m);
                }
        }

        var results = await router.RouteAsync(routed, "mqtt", stop);
        var (applied, stale) = (0, 0);
        var worst = new Dictionary<int, (string Outcome, string? Error)>();
        for (var k = 0; k < results.Length; k++)
        {
            var m = routedFrom[k];
            var (outcome, error) = results[k] switch
            {
                { Outcome: TelemetryOutcome.Applied } => (MqttOutcome.Applied, (string?)null),
                { Outcome: TelemetryOutcome.Stale } => (MqttOutcome.Stale, null),
                { Outcome: TelemetryOutcome.NotFound } => (MqttOutcome.UnknownAsset, $"no asset has the id '{routed[k].AssetId}'"),
                { Outcome: TelemetryOutcome.Invalid } r => (MqttOutcome.Invalid, string.Join("; ", r.Errors.Select(e => $"{e.Field}: {e.Message}"))),
                _ => (MqttOutcome.Unavailable, "the twin could not be reached"),
            };
            if (outcome == MqttOutcome.Applied) applied++;
            else if (outcome == MqttOutcome.Stale) stale++;
            // A message is as good as its worst reading; it is applied when any reading was, stale when all were.
            if (!worst.TryGetValue(m, out var so_far) || Rank(outcome) > Rank(so_far.Outcome)) worst[m] = (outcome, error);
        }
        status.Readings(applied, stale, results.Length - applied - stale);
        foreach (var (m, (outcome, error)) in worst)
        {
            if (MqttOutcome.IsBad(outcome)) Bad(m, outcome, batch[m].ApplicationMessage.Topic, error!);
            else Count(m, outcome);
        }

        foreach (var (outcome, count) in counted) // once a batch: a counter update a message was a measurable share of the bridge
        {
            status.Messages(outcome, count);
            metrics.Messages(outcome, count);
        }

        // Acknowledged in the order received (as MQTT asks), bad ones too: a poison message is not redelivered forever.
        await previous.ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
        foreach (var e in batch)
        {
            try { await e.AcknowledgeAsync(stop); }
            catch (Exception ex) when (ex is not OperationCanceledException) { } // the connection dropped: the broker redelivers
        }

        void Count(int m, string outcome)
        {
            outcomes[m] = outcome;
            counted[outcome] = counted.GetValueOrDefault(outcome) + 1;
        }

        void Bad(int m, string outcome, string topic, string error)
        {
            Count(m, outcome);
            status.Error(topic, outcome, error);
            Warn(topic, outcome, error);
        }
    }

    private static bool IsRefusal(MqttClientConnectResultCode code) =>
        code is MqttClientConnectResultCode.BadUserNameOrPassword or MqttClientConnectResultCode.NotAuthorized
            or MqttClientConnectResultCode.BadAuthenticationMethod or MqttClientConnectResultCode.Banned;

    private static int Rank(string outcome) => outcome switch
    {
        MqttOutcome.Stale => 0,
        MqttOutcome.Applied => 1,
        _ => 2,
    };

    private static ReadOnlySpan<byte> Payload(ReadOnlySequence<byte> payload) => payload.IsSingleSegment ? payload.FirstSpan : payload.ToArray();

    private void Warn(string topic, string outcome, string error)
    {
        lock (_warnings) Warn(topic, outcome, error, time.GetUtcNow());
    }

    private void Warn(string topic, string outcome, string error, DateTimeOffset now)
    {
        if (now - _lastWarning < _options.WarningInterval)
        {
            _suppressedWarnings++;
            return;
        }
        LogBadMessage(topic, outcome, error, _suppressedWarnings);
        (_lastWarning, _suppressedWarnings) = (now, 0);
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "MQTT bridge connected to {Host}:{Port} (session present: {SessionPresent})")]
    private partial void LogConnected(string host, int port, bool sessionPresent);

    [LoggerMessage(Level = LogLevel.Warning, Message = "MQTT broker {Host}:{Port} not connected ({Reason}); trying again in about {Backoff} (not logged again until the state changes)")]
    private partial void LogBrokerLost(string host, int port, string reason, TimeSpan backoff);

    [LoggerMessage(Level = LogLevel.Error, Message = "MQTT broker {Host}:{Port} refused the bridge: {Reason}; check Mqtt:Username and Mqtt:Password. Trying again in about {Backoff} (not logged again until the state changes)")]
    private partial void LogRefused(string host, int port, string reason, TimeSpan backoff);

    [LoggerMessage(Level = LogLevel.Debug, Message = "MQTT broker {Host}:{Port} still not connected ({Reason}); trying again in about {Backoff}")]
    private partial void LogStillDown(string host, int port, string reason, TimeSpan backoff);

    [LoggerMessage(Level = LogLevel.Warning, Message = "MQTT message on {Topic} not applied ({Outcome}): {Error} ({Suppressed} more bad messages since the last warning)")]
    private partial void LogBadMessage(string topic, string outcome, string error, int suppressed);

    [LoggerMessage(Level = LogLevel.Error, Message = "A batch of {Messages} MQTT messages failed: {Reason}")]
    private partial void LogBatchFailed(int messages, string reason);
}
