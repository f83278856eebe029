namespace Mlops.Testing.Data;

/// <summary>The physical type of a column as a <see cref="DataSource"/> delivers it.</summary>
public enum ColumnType
{
    /// <summary>A 64-bit floating-point number; <see cref="double.NaN"/> is missing.</summary>
    Double,

    /// <summary>A 64-bit integer.</summary>
    Int64,

    /// <summary>A boolean.</summary>
    Boolean,

    /// <summary>A string; <see langword="null"/> is missing.</summary>
    String,

    /// <summary>A date and time.</summary>
    DateTime,
}
