using System.Runtime.CompilerServices;

namespace Mlops.Testing.Drift;

/// <summary>
/// Counts distinct strings exactly, keeping their characters in one growing array instead of as string objects: a
/// column with a million distinct values (identifiers, codes) then holds no references for the garbage collector to
/// trace, and the strings the reader made for each row die young. Open addressing with linear probing; each slot holds
/// the value's hash beside its entry number, so a probe that does not match (most lookups of a high-cardinality
/// column) touches one cache line, and a match one more for the entry and one for its characters.
/// </summary>
internal sealed class StringCounter
{
    private ulong[] _table = new ulong[1024]; // hash << 32 | (entry + 1); 0 is empty
    private Entry[] _entries = new Entry[512];
    private char[] _chars = new char[4096];
    private int _used;

    private struct Entry
    {
        public int Offset;
        public int Length;
        public long Count;
    }

    public int Count { get; private set; }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public void Add(ReadOnlySpan<char> value)
    {
        var hash = (uint)string.GetHashCode(value);
        var slot = Find(value, hash);
        var found = _table[slot];
        if (found != 0)
        {
            _entries[(int)(uint)found - 1].Count++;
            return;
        }

        var entry = Count++;
        if (entry == _entries.Length)
        {
            Array.Resize(ref _entries, entry * 2);
        }

        if (_used + value.Length > _chars.Length)
        {
            Array.Resize(ref _chars, Math.Max(_chars.Length * 2, _used + value.Length));
        }

        value.CopyTo(_chars.AsSpan(_used));
        _entries[entry] = new Entry { Offset = _used, Length = value.Length, Count = 1 };
        _used += value.Length;
        _table[slot] = ((ulong)hash << 32) | (uint)(entry + 1);
        if (Count * 2 > _table.Length)
        {
            Rehash();
        }
    }

    /// <summary>The entry of a value, −1 when it was never added.</summary>
    public int IndexOf(ReadOnlySpan<char> value) => (int)(uint)_table[Find(value, (uint)string.GetHashCode(value))] - 1;

    /// <summary>The count of a value, 0 when it was never added.</summary>
    public long CountOf(ReadOnlySpan<char> value) => IndexOf(value) is var i and >= 0 ? _entries[i].Count : 0;

    /// <summary>The value of entry <paramref name="index"/> (0 ≤ index &lt; <see cref="Count"/>), in insertion order.</summary>
    public ReadOnlySpan<char> Value(int index) => _chars.AsSpan(_entries[index].Offset, _entries[index].Length);

    /// <summary>The count of entry <paramref name="index"/>.</summary>
    public long CountAt(int index) => _entries[index].Count;

    // The slot holding the value, or the empty slot where it would go.
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private int Find(ReadOnlySpan<char> value, uint hash)
    {
        var mask = _table.Length - 1;
        var slot = (int)hash & mask;
        while (true)
        {
            var t = _table[slot];
            if (t == 0)
            {
                return slot;
            }

            if ((uint)(t >> 32) == hash)
            {
                ref var e = ref _entries[(int)(uint)t - 1];
                if (value.SequenceEqual(_chars.AsSpan(e.Offset, e.Length)))
                {
                    return slot;
                }
            }

            slot = (slot + 1) & mask;
        }
    }

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
}
