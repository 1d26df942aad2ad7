namespace FreeEnergy.Data;

/// <summary>Turns a parsed number into an integer class label, or explains why it is not one.</summary>
internal static class LabelValue
{
    public static int ToLabel(double value, string path, long row, int column)
    {
        if (!double.IsFinite(value) || value != Math.Floor(value) || value < int.MinValue || value > int.MaxValue)
            throw new DataFormatException(
                $"the label {value.ToString(System.Globalization.CultureInfo.InvariantCulture)} is not an integer class.", path, row, column);
        return (int)value;
    }
}
