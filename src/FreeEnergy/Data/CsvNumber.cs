using System.Globalization;
using System.Runtime.CompilerServices;

namespace FreeEnergy.Data;

/// <summary>
/// Parses a CSV cell as an invariant-culture float32. Plain decimals (optional sign, digits, optional
/// fraction, no exponent) whose digits form an integer below 2^24 with at most 10 fraction digits take
/// Clinger's fast path -- one float division of two exactly representable values, hence correctly rounded
/// and identical to <see cref="float.Parse(string, IFormatProvider)"/>; everything else goes to float.TryParse.
/// </summary>
internal static class CsvNumber
{
    private static readonly float[] PowersOfTen = [1f, 1e1f, 1e2f, 1e3f, 1e4f, 1e5f, 1e6f, 1e7f, 1e8f, 1e9f, 1e10f];

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static bool TryParse(ReadOnlySpan<char> cell, out float value)
    {
        if (TryParseSimple(cell, out value)) return true;
        return float.TryParse(cell, NumberStyles.Float, CultureInfo.InvariantCulture, out value);
    }

    private static bool TryParseSimple(ReadOnlySpan<char> cell, out float value)
    {
        value = 0;
        int i = 0;
        bool negative = false;
        if (cell.Length == 0) return false;
        if (cell[0] == '-') { negative = true; i = 1; }
        else if (cell[0] == '+') i = 1;
        uint mantissa = 0;
        int digits = 0, fraction = -1;
        for (; i < cell.Length; i++)
        {
            char c = cell[i];
            uint d = (uint)(c - '0');
            if (d <= 9)
            {
                mantissa = mantissa * 10 + d;
                if (mantissa >= (1u << 24)) return false;
                digits++;
                if (fraction >= 0) fraction++;
            }
            else if (c == '.' && fraction < 0) fraction = 0;
            else return false;
        }
        if (digits == 0) return false;
        int scale = fraction < 0 ? 0 : fraction;
        if (scale > 10) return false;
        float v = scale == 0 ? mantissa : mantissa / PowersOfTen[scale];
        value = negative ? -v : v;
        return true;
    }
}
