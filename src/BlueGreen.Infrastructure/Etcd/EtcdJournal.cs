using BlueGreen.Core;
using BlueGreen.Core.Journal;
using BlueGreen.Infrastructure.Journal;
using Etcdserverpb;

namespace BlueGreen.Infrastructure.Etcd;

/// <summary>The journal's head in etcd: the last entry's seq and hash (ETCD_STATE_PREFIX/journal/head).</summary>
public sealed record EtcdJournalHead(long Seq, string Hash);

/// <summary>Where the etcd journal and this host's mirror first disagree (journal verify).</summary>
public sealed record MirrorDifference(long Seq, string Reason);

/// <summary>
/// The journal of ROUTING_STORE=etcd (docs/etcd.md). Entries are sealed with the same hash chain as the file
/// (<see cref="JournalChain"/>) and written under ETCD_STATE_PREFIX/journal/entries/SEQ together with the head, in one
/// transaction conditioned on the head's revision: two hosts that append at once cannot both extend the same head,
/// so the journal never forks; the loser re-reads the head and seals again. Each host keeps the local JSONL file
/// as a mirror of it, byte for byte, appended after every write and caught up before every command.
/// </summary>
public sealed class EtcdJournal(EtcdStore store, JournalFile mirror, TimeProvider clock)
{
    private const int Attempts = 50;

    public JournalFile Mirror => mirror;

    /// <summary>
    /// Appends one entry, with <paramref name="alongside"/> in the same transaction (a switch's routing), only while
    /// every <paramref name="proofs"/> comparison holds (the caller's locks are still its own).
    /// </summary>
    /// <param name="proofsFailed">What it means when a proof no longer holds (default: the command's lock lease expired).</param>
    /// <exception cref="JournalWriteException">etcd is unreachable, or a lock was lost: nothing was written.</exception>
    public JournalEntry Append(JournalEntry entry, IReadOnlyList<RequestOp>? alongside = null, IReadOnlyList<Compare>? proofs = null, string? proofsFailed = null)
    {
        try
        {
            for (var attempt = 0; attempt < Attempts; attempt++)
            {
                var (head, revision) = ReadHead();
                var time = clock.GetUtcNow().UtcDateTime.ToString("yyyy-MM-ddTHH:mm:ss.fffZ");
                var (line, sealedEntry) = JournalChain.Seal(entry with { Time = time }, head.Seq + 1, head.Hash);
                List<RequestOp> ops =
                [
                    EtcdStore.Put(store.JournalEntryKey(sealedEntry.Seq), line),
                    EtcdStore.Put(store.JournalHeadKey, Json.Serialize(new EtcdJournalHead(sealedEntry.Seq, sealedEntry.Hash!), Json.Options)),
                    .. alongside ?? [],
                ];
                if (Applied(() => store.Transact([EtcdStore.ModRevisionIs(store.JournalHeadKey, revision), .. proofs ?? []], ops), line, sealedEntry.Seq, revision))
                {
                    TryCatchUp();
                    return sealedEntry;
                }

                // Either the head moved (another command journaled: seal again after it) or a lock is no longer ours.
                if (proofs is { Count: > 0 } && !store.Transact(proofs, []))
                {
                    throw new JournalWriteException(store.JournalHeadKey, $"{proofsFailed ?? LeaseLost}; nothing was written");
                }
            }

            throw new JournalWriteException(store.JournalHeadKey, $"the journal head kept moving under {Attempts} attempts; nothing was written");
        }
        catch (EtcdUnavailableException e)
        {
            throw new JournalWriteException(store.JournalHeadKey, e.Message, e);
        }
    }

    private const string LeaseLost = "this command's lock lease expired before the write (etcd was unreachable for too long?)";

    /// <summary>Reads after a transaction whose answer was lost, at most this many times, before saying it is unknown.</summary>
    private const int SettleAttempts = 3;

    /// <summary>
    /// Runs the transaction that appends <paramref name="line"/> as entry <paramref name="seq"/> on the head at
    /// <paramref name="revision"/>. When its answer is lost (a deadline, a dropped connection), etcd may have applied it,
    /// or may still apply it: the head is fenced (put again, on the same condition, so that the lost transaction can
    /// never apply later), then the entry's key says whether it did: applied, the append goes on as applied.
    /// </summary>
    /// <exception cref="JournalWriteException">It was not applied: nothing was written.</exception>
    /// <exception cref="EtcdOutcomeUnknownException">etcd could not be asked: the next command's recovery settles it.</exception>
    private bool Applied(Func<bool> transact, string line, long seq, long revision)
    {
        EtcdUnavailableException lost;
        try
        {
            return transact();
        }
        catch (EtcdUnavailableException e)
        {
            lost = e;
        }

        for (var attempt = 0; attempt < SettleAttempts; attempt++)
        {
            try
            {
                var head = store.Get(store.JournalHeadKey);
                if ((head?.ModRevision ?? 0) == revision)
                {
                    var same = head?.Value ?? Json.Serialize(new EtcdJournalHead(0, JournalChain.GenesisHash), Json.Options);
                    store.Transact([EtcdStore.ModRevisionIs(store.JournalHeadKey, revision)], [EtcdStore.Put(store.JournalHeadKey, same)]);
                }

                // The head has moved (the fence, the lost transaction, or another host): the entry is ours only if it is our line.
                return store.Get(store.JournalEntryKey(seq))?.Value == line
                    ? true
                    : throw new JournalWriteException(store.JournalHeadKey, $"{lost.Message}; etcd had not applied it, and never will: nothing was written");
            }
            catch (EtcdUnavailableException e)
            {
                lost = e;
            }
        }

        throw new EtcdOutcomeUnknownException($"journal entry {seq}", lost.Message, lost);
    }

    /// <summary>
    /// Copies a whole journal's lines (already sealed: `store migrate --to etcd`) into an empty journal in etcd, in
    /// transactions of at most <see cref="ImportBatch"/> lines, each conditioned on the head it continues and on
    /// <paramref name="proofs"/>.
    /// </summary>
    public void Import(IReadOnlyList<string> lines, IReadOnlyList<Compare> proofs)
    {
        var (head, revision) = ReadHead();
        if (head.Seq != 0)
        {
            throw new JournalWriteException(store.JournalHeadKey, $"the journal in etcd is not empty (seq {head.Seq}): nothing was copied");
        }

        for (var start = 0; start < lines.Count; start += ImportBatch)
        {
            var batch = lines.Skip(start).Take(ImportBatch).ToList();
            var last = Json.Deserialize<JournalEntry>(batch[^1]) ?? throw new JournalWriteException(store.JournalHeadKey, "an empty line cannot be copied");
            List<RequestOp> ops = [.. batch.Select((line, i) => EtcdStore.Put(store.JournalEntryKey(start + i + 1), line))];
            ops.Add(EtcdStore.Put(store.JournalHeadKey, Json.Serialize(new EtcdJournalHead(last.Seq, last.Hash!), Json.Options)));
            if (!store.Transact([EtcdStore.ModRevisionIs(store.JournalHeadKey, revision), .. proofs], ops))
            {
                throw new JournalWriteException(store.JournalHeadKey, $"the journal in etcd changed while it was copied (after seq {start}), or a lock lease expired");
            }

            revision = store.Get(store.JournalHeadKey)!.ModRevision;
        }
    }

    /// <summary>Lines per transaction when a journal is copied: under etcd's 128 operations (and 1.5 MiB) per request.</summary>
    public const int ImportBatch = 100;

    /// <summary>The head as etcd has it (now, or at <paramref name="at"/>), with the revision that wrote it (0 when the journal in etcd is empty).</summary>
    public (EtcdJournalHead Head, long Revision) ReadHead(long at = 0)
    {
        var value = store.Get(store.JournalHeadKey, at);
        if (value is null)
        {
            return (new EtcdJournalHead(0, JournalChain.GenesisHash), 0);
        }

        EtcdJournalHead? head;
        try
        {
            head = Json.Deserialize<EtcdJournalHead>(value.Value);
        }
        catch (System.Text.Json.JsonException e)
        {
            throw new JournalWriteException(store.JournalHeadKey, $"the journal in etcd is damaged: its head is not {{\"seq\":N,\"hash\":\"…\"}} ({e.Message}); see ./run.sh journal verify", e, damaged: true);
        }

        return head is { Seq: >= 0, Hash.Length: > 0 }
            ? (head, value.ModRevision)
            : throw new JournalWriteException(store.JournalHeadKey, "the journal in etcd is damaged: its head has no seq and hash; see ./run.sh journal verify", damaged: true);
    }

    /// <summary>
    /// Checks that this host's mirror is a beginning of the journal in etcd, then appends what it lacks. A mirror
    /// that went further, or that differs, is a damaged journal: mutating commands refuse until `journal verify`
    /// says where (a home with a file-mode journal starts in etcd through `store migrate`).
    /// </summary>
    /// <param name="at">Catch up to the journal as it was at this revision (0: now), the revision of a status read's snapshot.</param>
    /// <exception cref="JournalWriteException">Damaged: they differ.</exception>
    /// <exception cref="EtcdUnavailableException">etcd cannot be reached.</exception>
    public void EnsureMirrorFollows(long at = 0)
    {
        var (localSeq, localHash) = mirror.Tail();
        var (head, _) = ReadHead(at);
        if (localSeq > head.Seq && at != 0)
        {
            // A command of this host journaled after the snapshot's revision: the mirror is compared with the journal now.
            EnsureMirrorFollows();
            return;
        }

        if (localSeq > head.Seq)
        {
            throw new JournalWriteException(mirror.Path,
                head.Seq == 0
                    ? $"this host's journal has {localSeq} entries and the journal in etcd none: move it there with ./run.sh store migrate --to etcd"
                    : $"this host's journal goes to seq {localSeq}, past the journal in etcd (seq {head.Seq}): see ./run.sh journal verify",
                damaged: true);
        }

        if (localSeq > 0 && EntryHash(localSeq, at) != localHash)
        {
            throw new JournalWriteException(mirror.Path, $"this host's journal and the journal in etcd differ at seq {localSeq}: see ./run.sh journal verify", damaged: true);
        }

        CatchUp(at);
    }

    /// <summary>
    /// Before the journal is read (`journal`, `status`, the cockpit): this host's mirror brought up to the journal in
    /// etcd, so that what other hosts wrote is seen. Null when it follows; else why it cannot (it differs from etcd, or
    /// went further: `journal verify` says where), and the mirror is left as it is.
    /// </summary>
    /// <exception cref="EtcdUnavailableException">etcd cannot be reached.</exception>
    public static string? CatchUpForReading(EtcdStore store, JournalFile mirror, long at = 0)
    {
        try
        {
            new EtcdJournal(store, mirror, TimeProvider.System).EnsureMirrorFollows(at);
            return null;
        }
        catch (JournalWriteException e)
        {
            // A real difference, damage in etcd, or only a failed write to this host's file (a lock wait, permissions).
            return !e.Damaged ? $"this host's journal mirror could not be brought up to the journal in etcd: {e.Message}"
                : e.Where == mirror.Path ? $"this host's journal mirror does not follow the journal in etcd: {e.Message}"
                : e.Message;
        }
    }

    /// <summary>Every line of the journal in etcd, in seq order.</summary>
    public IReadOnlyList<(long Seq, string Line)> ReadAll() => store.List(store.JournalEntriesPrefix).Select(Line).ToList();

    /// <exception cref="JournalWriteException">Damaged: a key under journal/entries/ that is not a seq.</exception>
    private (long Seq, string Line) Line(EtcdValue kv) =>
        long.TryParse(kv.Key.AsSpan(store.JournalEntriesPrefix.Length), System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var seq)
            ? (seq, kv.Value)
            : throw new JournalWriteException(kv.Key, $"the journal in etcd is damaged: this key is not a journal entry's ({store.JournalEntriesPrefix}SEQ, SEQ a number); see ./run.sh journal verify", damaged: true);

    /// <summary>
    /// Verifies the journal in etcd (its chain, and that it ends at its head) and compares this host's mirror with it
    /// line by line. Null break and null difference: both hold and agree.
    /// </summary>
    public (ChainBreak? Break, MirrorDifference? Difference, long Entries) Verify()
    {
        var lines = ReadAll();
        var chainBreak = JournalChain.Verify(lines.Select(l => l.Line));
        if (chainBreak is null)
        {
            var (head, _) = ReadHead();
            var (lastSeq, lastHash) = lines.Count == 0 ? (0L, JournalChain.GenesisHash) : (lines[^1].Seq, HashIn(lines[^1].Line));
            if (head.Seq != lastSeq || head.Hash != lastHash)
            {
                chainBreak = new ChainBreak(lines.Count, $"the head in etcd names seq {head.Seq}, but the entries end at seq {lastSeq}", store.JournalHeadKey);
            }
        }

        var local = mirror.ReadLines().ToList();
        MirrorDifference? difference = null;
        for (var i = 0; i < Math.Max(local.Count, lines.Count) && difference is null; i++)
        {
            difference = i >= local.Count ? new MirrorDifference(i + 1, $"this host's mirror ends at seq {local.Count}; etcd goes on to seq {lines.Count}")
                : i >= lines.Count ? new MirrorDifference(i + 1, $"etcd ends at seq {lines.Count}; this host's mirror goes on to seq {local.Count}")
                : local[i] != lines[i].Line ? new MirrorDifference(i + 1, "the line in this host's mirror is not the line in etcd")
                : null;
        }

        return (chainBreak, difference, lines.Count);
    }

    private string? EntryHash(long seq, long at) => store.Get(store.JournalEntryKey(seq), at) is { } kv ? HashIn(kv.Value) : null;

    /// <summary>The hash a line claims (the chain check proves it separately).</summary>
    private static string? HashIn(string line)
    {
        try
        {
            return Json.Deserialize<JournalEntry>(line)?.Hash;
        }
        catch (System.Text.Json.JsonException)
        {
            return null;
        }
    }

    private void CatchUp(long at = 0)
    {
        var (localSeq, _) = mirror.Tail();
        var missing = store.ListFrom(store.JournalEntriesPrefix, store.JournalEntryKey(localSeq + 1), at);
        if (missing.Count > 0)
        {
            mirror.AppendSealed(missing.Select(Line).ToList());
        }
    }

    /// <summary>After a committed write: the entry is in etcd (the truth); a mirror that cannot follow now catches up at the next command.</summary>
    private void TryCatchUp()
    {
        try
        {
            CatchUp();
        }
        catch (Exception e) when (e is JournalWriteException or EtcdUnavailableException)
        {
        }
    }
}
