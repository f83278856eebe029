using System.Numerics;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics.X86;
using Mlops.Testing.Data;

namespace Mlops.Testing.Drift;

/// <summary>
/// Counts distinct strings exactly, keeping their characters in one growing array instead of as string objects: a
/// column with a million distinct values (identifiers, codes) then holds no references for the garbage collector to
/// trace, and values can come as characters (a CSV file's <see cref="TextVector"/>) rather than one string per row. Open
/// addressing with linear probing; each slot holds
/// the value's hash beside the offset of its record (count, length, index and characters together), so a lookup of a
/// high-cardinality column touches the slot's cache line and the record's. Those two are cache misses once the table
/// outgrows the cache: batches (<see cref="AddAll"/>, <see cref="IndicesOf"/>) hash their values first and prefetch the
/// slots and records of the values a few places ahead, so that the misses overlap instead of following one another.
/// </summary>
internal sealed class StringCounter
{
    // xxHash64's rounds are fast but not a keyed hash: a random seed per process keeps crafted values from colliding.
    private static readonly ulong Seed = (ulong)Random.Shared.NextInt64();

    private const ulong Prime1 = 0x9E3779B185EBCA87UL;
    private const ulong Prime2 = 0xC2B2AE3D27D4EB4FUL;
    private const ulong Prime3 = 0x165667B19E3779F9UL;
    private const ulong Prime4 = 0x85EBCA77C2B2AE63UL;
    private const ulong Prime5 = 0x27D4EB2F165667C5UL;

    private const int Header = 2; // a record: its count, then its length | index << 32, then its characters
    private const int Chunk = 512; // values hashed ahead of their lookups
    private const int SlotDistance = 16; // how far ahead a slot is prefetched
    private const int RecordDistance = 8; // how far ahead the record in a value's first slot is prefetched (its slot has arrived)

    private ulong[] _table = new ulong[1024]; // hash << 32 | (record offset + 1); 0 is empty
    private long[] _records = new long[4096];
    private int[] _offsets = new int[512]; // each entry's record offset, in insertion order
    private int _used;

    public int Count { get; private set; }

    /// <summary>Counts the values whose <paramref name="missing"/> flag is not set.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public void AddAll<TValues>(TValues values, ReadOnlySpan<bool> missing)
        where TValues : ITextValues, allows ref struct
    {
        Span<uint> hashes = stackalloc uint[Chunk];
        for (var start = 0; start < missing.Length; start += Chunk)
        {
            var length = Math.Min(Chunk, missing.Length - start);
            var skip = missing.Slice(start, length);
            for (var i = 0; i < length; i++)
            {
                hashes[i] = skip[i] ? 0 : Hash(values[start + i]);
            }

            for (var i = 0; i < length; i++)
            {
                Prefetch(hashes[..length], i);
                if (!skip[i])
                {
                    Add(values[start + i], hashes[i]);
                }
            }
        }
    }

    /// <summary>For each entry of <paramref name="other"/>, in its order, the entry of the same value here (−1 when none).</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public int[] IndicesOf(StringCounter other)
    {
        var result = new int[other.Count];
        Span<uint> hashes = stackalloc uint[Chunk];
        for (var start = 0; start < result.Length; start += Chunk)
        {
            var length = Math.Min(Chunk, result.Length - start);
            for (var i = 0; i < length; i++)
            {
                hashes[i] = Hash(other.Value(start + i));
            }

            for (var i = 0; i < length; i++)
            {
                Prefetch(hashes[..length], i);
                result[start + i] = IndexOf(other.Value(start + i), hashes[i]);
            }
        }

        return result;
    }

    /// <summary>The value of entry <paramref name="index"/> (0 ≤ index &lt; <see cref="Count"/>), in insertion order.</summary>
    public ReadOnlySpan<char> Value(int index) => Characters(_offsets[index]);

    /// <summary>The count of entry <paramref name="index"/>.</summary>
    public long CountAt(int index) => _records[_offsets[index]];

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private void Add(ReadOnlySpan<char> value, uint hash)
    {
        var slot = Find(value, hash);
        var found = _table[slot];
        if (found != 0)
        {
            _records[(int)(uint)found - 1]++;
            return;
        }

        Insert(value, hash, slot);
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private void Insert(ReadOnlySpan<char> value, uint hash, int slot)
    {
        var entry = Count++;
        if (entry == _offsets.Length)
        {
            Array.Resize(ref _offsets, entry * 2);
        }

        var size = Header + ((value.Length + 3) / 4);
        if (_used + size > _records.Length)
        {
            Array.Resize(ref _records, (int)Math.Min(Math.Max(_records.Length * 2L, _used + size), Array.MaxLength));
        }

        var offset = _used;
        _records[offset] = 1;
        _records[offset + 1] = (uint)value.Length | ((long)entry << 32);
        value.CopyTo(MemoryMarshal.Cast<long, char>(_records.AsSpan(offset + Header, size - Header)));
        _used += size;
        _offsets[entry] = offset;
        _table[slot] = ((ulong)hash << 32) | (uint)(offset + 1);
        if (Count * 4L > _table.Length * 3L) // at most three quarters full
        {
            Rehash();
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private int IndexOf(ReadOnlySpan<char> value, uint hash)
    {
        var found = _table[Find(value, hash)];
        if (found == 0)
        {
            return -1;
        }

        var offset = (int)(uint)found - 1;
        return (int)(_records[offset + 1] >> 32);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private ReadOnlySpan<char> Characters(int offset)
    {
        var length = (int)(uint)_records[offset + 1];
        return MemoryMarshal.Cast<long, char>(_records.AsSpan(offset + Header))[..length];
    }

    // The slot holding the value, or the empty slot where it would go.
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private int Find(ReadOnlySpan<char> value, uint hash)
    {
        var mask = _table.Length - 1;
        var slot = (int)hash & mask;
        while (true)
        {
            var t = _table[slot];
            if (t == 0 || ((uint)(t >> 32) == hash && value.SequenceEqual(Characters((int)(uint)t - 1))))
            {
                return slot;
            }

            slot = (slot + 1) & mask;
        }
    }

    // Asks for the slot of the value SlotDistance places ahead, and for the record of the one RecordDistance ahead (when
    // its first slot is taken: most lookups of a value seen before end there). Hints only: the lookups themselves follow.
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private unsafe void Prefetch(ReadOnlySpan<uint> hashes, int i)
    {
        if (!Sse.IsSupported)
        {
            return;
        }

        var mask = _table.Length - 1;
        if (i + SlotDistance < hashes.Length)
        {
            Sse.Prefetch0(Unsafe.AsPointer(ref _table[(int)hashes[i + SlotDistance] & mask]));
        }

        if (i + RecordDistance < hashes.Length && _table[(int)hashes[i + RecordDistance] & mask] is var t and not 0)
        {
            Sse.Prefetch0(Unsafe.AsPointer(ref _records[(int)(uint)t - 1]));
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private void Rehash()
    {
        var table = new ulong[_table.Length * 2];
        var mask = table.Length - 1;
        foreach (var t in _table)
        {
            if (t == 0)
            {
                continue;
            }

            var slot = (int)(uint)(t >> 32) & mask;
            while (table[slot] != 0)
            {
                slot = (slot + 1) & mask;
            }

            table[slot] = t;
        }

        _table = table;
    }

    /// <summary>A 32-bit hash of the characters: xxHash64's rounds over their UTF-16 bytes, seeded per process.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static uint Hash(ReadOnlySpan<char> value)
    {
        var bytes = MemoryMarshal.AsBytes(value);
        var hash = Seed + Prime5 + (ulong)bytes.Length;
        while (bytes.Length >= 8)
        {
            var k = BitOperations.RotateLeft(MemoryMarshal.Read<ulong>(bytes) * Prime2, 31) * Prime1;
            hash = (BitOperations.RotateLeft(hash ^ k, 27) * Prime1) + Prime4;
            bytes = bytes[8..];
        }

        if (bytes.Length >= 4)
        {
            hash = (BitOperations.RotateLeft(hash ^ (MemoryMarshal.Read<uint>(bytes) * Prime1), 23) * Prime2) + Prime3;
            bytes = bytes[4..];
        }

        if (bytes.Length >= 2)
        {
            hash = BitOperations.RotateLeft(hash ^ (MemoryMarshal.Read<ushort>(bytes) * Prime5), 11) * Prime1;
        }

        hash ^= hash >> 33;
        hash *= Prime2;
        hash ^= hash >> 29;
        hash *= Prime3;
        hash ^= hash >> 32;
        return (uint)hash;
    }
}

/// <summary>The values of a batch for <see cref="StringCounter.AddAll"/>, as characters.</summary>
internal interface ITextValues
{
    ReadOnlySpan<char> this[int index] { get; }
}

/// <summary>String objects (a <see cref="ColumnVector{T}"/> of strings).</summary>
internal readonly ref struct StringValues(ReadOnlySpan<string> values) : ITextValues
{
    private readonly ReadOnlySpan<string> _values = values;

    public ReadOnlySpan<char> this[int index] => _values[index];
}

/// <summary>The characters of a <see cref="TextVector"/>.</summary>
internal readonly struct TextVectorValues(TextVector vector) : ITextValues
{
    public ReadOnlySpan<char> this[int index] => vector[index];
}
