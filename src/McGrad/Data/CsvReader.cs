using System.Globalization;
using System.Numerics;
using System.Text;

namespace McGrad.Data;

/// <summary>A numeric table read by <see cref="CsvReader"/>: the values [rows, columns] and the header's column names.</summary>
/// <param name="Values">The numbers, shape [rows, columns], in the dtype asked for.</param>
/// <param name="Header">The column names from the header line; null when the file has no header.</param>
public sealed record CsvTable(Tensor Values, IReadOnlyList<string>? Header);

/// <summary>
/// Reads numeric delimiter-separated text (CSV) into a [rows, columns] tensor, with the invariant culture
/// (<c>.</c> decimal point, exponents such as <c>1e-3</c>, <c>NaN</c>, <c>Infinity</c>).
/// </summary>
/// <remarks>
/// Blank lines are skipped. A field may be quoted (<c>"1.5"</c>, with <c>""</c> for a quote inside); whitespace
/// around a number is ignored. Every row must have as many fields as the first (or the header). An empty field,
/// text that is not a number, or a number outside the dtype's finite range is an error — nothing is filled in or
/// clamped. With <c>hasHeader: null</c> the first non-blank line is a header when none of its fields is a number,
/// data when all are, and an error when it mixes both (pass <c>hasHeader</c> explicitly then).
/// </remarks>
public static class CsvReader
{
    private const int MaxQuoted = 40;

    /// <summary>
    /// Reads the file at <paramref name="path"/>: values [rows, columns] in <paramref name="dtype"/> (Float32,
    /// Float64, or Int64 for integer columns) and the header names when there is a header.
    /// </summary>
    /// <param name="path">The file (UTF-8; a byte-order mark is allowed).</param>
    /// <param name="hasHeader">true: the first non-blank line is a header; false: it is data; null: detect (see remarks).</param>
    /// <param name="delimiter">The field separator, e.g. ',' ';' or '\t'.</param>
    /// <param name="dtype">The result dtype.</param>
    /// <exception cref="FileNotFoundException">The file does not exist.</exception>
    /// <exception cref="InvalidDataException">
    /// A field is not a number ("line 7, column 3: 'abc' is not a number"), a row has another number of columns
    /// than expected, or the header cannot be told from data. Messages name the path, line and column.
    /// </exception>
    /// <exception cref="ArgumentException">The delimiter is a quote or a line break.</exception>
    public static CsvTable Read(string path, bool? hasHeader = null, char delimiter = ',', DType dtype = Tensor.DefaultDType)
    {
        ArgumentNullException.ThrowIfNull(path);
        CheckDelimiter(delimiter);
        if (!File.Exists(path))
        {
            throw new FileNotFoundException($"CsvReader: the file '{path}' does not exist.", path);
        }

        using var reader = new StreamReader(path, Encoding.UTF8, detectEncodingFromByteOrderMarks: true, bufferSize: 1 << 16);
        return Read(reader, path, hasHeader, delimiter, dtype);
    }

    /// <summary>
    /// Reads CSV text from <paramref name="reader"/> as <see cref="Read(string, bool?, char, DType)"/> does;
    /// <paramref name="sourceName"/> stands for the path in error messages.
    /// </summary>
    /// <exception cref="InvalidDataException">See <see cref="Read(string, bool?, char, DType)"/>.</exception>
    /// <exception cref="ArgumentException">The delimiter is a quote or a line break.</exception>
    public static CsvTable Read(TextReader reader, string sourceName = "<text>", bool? hasHeader = null, char delimiter = ',', DType dtype = Tensor.DefaultDType)
    {
        ArgumentNullException.ThrowIfNull(reader);
        ArgumentNullException.ThrowIfNull(sourceName);
        CheckDelimiter(delimiter);
        return dtype switch
        {
            DType.Float32 => Parse<float>(reader, sourceName, hasHeader, delimiter, dtype),
            DType.Float64 => Parse<double>(reader, sourceName, hasHeader, delimiter, dtype),
            _ => Parse<long>(reader, sourceName, hasHeader, delimiter, dtype),
        };
    }

    private static void CheckDelimiter(char delimiter)
    {
        if (delimiter is '"' or '\r' or '\n')
        {
            throw new ArgumentException($"CsvReader: the delimiter cannot be {(delimiter == '"' ? "a double quote" : "a line break")}.", nameof(delimiter));
        }
    }

    /// <summary>A field of a line: a slice, and whether it was quoted with doubled quotes inside.</summary>
    private readonly record struct Field(int Start, int Length, bool Escaped)
    {
        public ReadOnlySpan<char> Text(string line) => Escaped
            ? line.AsSpan(Start, Length).ToString().Replace("\"\"", "\"", StringComparison.Ordinal)
            : line.AsSpan(Start, Length);
    }

    private static CsvTable Parse<T>(TextReader reader, string source, bool? hasHeader, char delimiter, DType dtype)
        where T : unmanaged, INumberBase<T>
    {
        var fields = new List<Field>();
        var values = new List<T>();
        string[]? header = null;
        var columns = -1;
        var columnsLine = 0;
        var lineNumber = 0;
        var first = true;
        string? line;
        while ((line = reader.ReadLine()) != null)
        {
            lineNumber++;
            if (string.IsNullOrWhiteSpace(line))
            {
                continue;
            }

            Split(line, delimiter, fields, source, lineNumber);
            if (first)
            {
                first = false;
                var isHeader = hasHeader ?? DetectHeader<T>(line, fields, source, lineNumber, dtype);
                columns = fields.Count;
                columnsLine = lineNumber;
                if (isHeader)
                {
                    header = new string[fields.Count];
                    for (var c = 0; c < fields.Count; c++)
                    {
                        header[c] = fields[c].Text(line).Trim().ToString();
                    }

                    continue;
                }
            }
            else if (fields.Count != columns)
            {
                throw new InvalidDataException(
                    $"CsvReader: {source}, line {lineNumber} has {fields.Count} column(s), expected {columns} " +
                    $"(the number of {(header != null ? "header names" : "fields")} on line {columnsLine}; delimiter '{Printable(delimiter)}').");
            }

            for (var c = 0; c < fields.Count; c++)
            {
                var text = fields[c].Text(line);
                if (!TryParse(text, out T value))
                {
                    throw NotANumber(source, lineNumber, c, text, dtype);
                }

                values.Add(value);
            }
        }

        var cols = Math.Max(columns, 0);
        var rows = cols == 0 ? 0 : values.Count / cols;
        var result = Tensor.Uninitialized([rows, cols], dtype);
        values.CopyTo(result.Span<T>());
        return new CsvTable(result, header);
    }

    private static bool DetectHeader<T>(string line, List<Field> fields, string source, int lineNumber, DType dtype)
        where T : unmanaged, INumberBase<T>
    {
        var numeric = -1;
        var text = -1;
        for (var c = 0; c < fields.Count; c++)
        {
            if (TryParse<T>(fields[c].Text(line), out _))
            {
                numeric = numeric < 0 ? c : numeric;
            }
            else
            {
                text = text < 0 ? c : text;
            }
        }

        if (numeric >= 0 && text >= 0)
        {
            throw new InvalidDataException(
                $"CsvReader: {source}, line {lineNumber} mixes numbers and text (column {text + 1}: {Quote(fields[text].Text(line))} is not {Kind(dtype)}, " +
                $"column {numeric + 1}: {Quote(fields[numeric].Text(line))} is), so it is neither clearly a header nor data; " +
                "pass hasHeader: true if it is a header, or fix the value.");
        }

        return text >= 0;
    }

    private static bool TryParse<T>(ReadOnlySpan<char> text, out T value)
        where T : unmanaged, INumberBase<T>
    {
        var style = typeof(T) == typeof(long) ? NumberStyles.Integer : NumberStyles.Float;
        if (!T.TryParse(text, style, CultureInfo.InvariantCulture, out value))
        {
            return false;
        }

        // Overflow parses to ±Infinity; accept infinity only when the text says so.
        return !T.IsInfinity(value) || text.Contains("Infinity", StringComparison.OrdinalIgnoreCase) || text.Contains('∞');
    }

    private static InvalidDataException NotANumber(string source, int line, int column, ReadOnlySpan<char> text, DType dtype)
    {
        var why = text.IsWhiteSpace() ? " (the field is empty)" : string.Empty;
        return new InvalidDataException($"CsvReader: {source}, line {line}, column {column + 1}: {Quote(text)} is not {Kind(dtype)}{why}.");
    }

    private static string Kind(DType dtype) => dtype switch
    {
        DType.Int64 => "an integer (Int64)",
        _ => $"a number ({dtype}: finite values, NaN, Infinity)",
    };

    private static string Quote(ReadOnlySpan<char> text) =>
        text.Length <= MaxQuoted ? $"'{text}'" : $"'{text[..MaxQuoted]}…' ({text.Length} characters)";

    private static string Printable(char c) => c switch
    {
        '\t' => "\\t",
        _ => c.ToString(),
    };

    /// <summary>Splits one line into fields; a quoted field runs to its closing quote and may contain the delimiter.</summary>
    private static void Split(string line, char delimiter, List<Field> fields, string source, int lineNumber)
    {
        fields.Clear();
        var pos = 0;
        while (true)
        {
            var start = pos;
            while (start < line.Length && line[start] is ' ' or '\t' && line[start] != delimiter)
            {
                start++;
            }

            int end;
            if (start < line.Length && line[start] == '"')
            {
                var close = start + 1;
                var escaped = false;
                while (true)
                {
                    close = line.IndexOf('"', close);
                    if (close < 0)
                    {
                        throw new InvalidDataException($"CsvReader: {source}, line {lineNumber}, column {fields.Count + 1}: the quote opened at character {start + 1} is never closed (fields cannot span lines).");
                    }

                    if (close + 1 < line.Length && line[close + 1] == '"')
                    {
                        escaped = true;
                        close += 2;
                        continue;
                    }

                    break;
                }

                fields.Add(new Field(start + 1, close - start - 1, escaped));
                end = close + 1;
                while (end < line.Length && line[end] != delimiter && char.IsWhiteSpace(line[end]))
                {
                    end++;
                }

                if (end < line.Length && line[end] != delimiter)
                {
                    throw new InvalidDataException($"CsvReader: {source}, line {lineNumber}, column {fields.Count}: unexpected text {Quote(line.AsSpan(end))} after the closing quote at character {close + 1}.");
                }
            }
            else
            {
                end = line.IndexOf(delimiter, pos);
                end = end < 0 ? line.Length : end;
                fields.Add(new Field(pos, end - pos, false));
            }

            if (end >= line.Length)
            {
                return;
            }

            pos = end + 1;
        }
    }
}
