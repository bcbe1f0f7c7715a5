namespace Alerts.Core.Matching;

/// <summary>
/// Verification (Lucene Monitor's candidate matcher): runs a candidate's compiled program
/// (<see cref="ProgramOp"/>) against the scanned article's key occurrences. <see cref="Eval"/> answers yes or no and
/// short-circuits; <see cref="Collect"/> also gathers the hits of every positive occurrence that takes part in the
/// match, with the same semantics as <see cref="QueryEvaluator"/> (the differential test holds them equal).
/// Per-thread and reused.
/// </summary>
internal sealed class ProgramInterpreter(ScannedArticle article)
{
    private readonly ScannedArticle _article = article;

    /// <summary>What <see cref="Collect"/> found; the caller clears it before each program.</summary>
    public readonly List<Hit> Hits = [];

    private int[] _nearPos = new int[64];
    private int[] _nearIndex = new int[64];
    private int[] _nearTerm = new int[64];
    private Occurrence[] _nearOcc = new Occurrence[64];
    private readonly int[] _nearHave = new int[QueryParser.MaxTerms + 1];
    private readonly int[] _nearNeed = new int[QueryParser.MaxTerms + 1];

    private static bool InScope(in Occurrence o, int scope) => scope switch
    {
        (int)FieldScope.Title => o.Field == DocumentField.Title,
        (int)FieldScope.Body => o.Field == DocumentField.Body,
        _ => true,
    };

    /// <summary>Does the program node at <paramref name="at"/> match? Short-circuits; no hits.</summary>
    public bool Eval(int[] p, int at)
    {
        var head = p[at];
        switch (head & 0xFF)
        {
            case ProgramOp.Key:
            {
                var occ = _article.Occurrences(p[at + 1]);
                if (occ.IsEmpty) return false;
                // Occurrences are in position order and title positions precede body positions.
                return (head >> 8) switch
                {
                    (int)FieldScope.Title => occ[0].Field == DocumentField.Title,
                    (int)FieldScope.Body => occ[^1].Field == DocumentField.Body,
                    _ => true,
                };
            }
            case ProgramOp.Phrase:
                return Phrase(p, at, collect: false);
            case ProgramOp.Near:
                return Near(p, at, collect: false);
            case ProgramOp.And:
            {
                var n = p[at + 1];
                var c = at + 3;
                for (var i = 0; i < n; i++, c += ProgramOp.Length(p, c))
                    if (!Eval(p, c)) return false;
                return true;
            }
            case ProgramOp.Or:
            {
                var n = p[at + 1];
                var c = at + 3;
                for (var i = 0; i < n; i++, c += ProgramOp.Length(p, c))
                    if (Eval(p, c)) return true;
                return false;
            }
            default:
                return !Eval(p, at + 2);
        }
    }

    /// <summary>Like <see cref="Eval"/>, adding every positive occurrence that takes part in the match to <see cref="Hits"/>.</summary>
    public bool Collect(int[] p, int at)
    {
        var head = p[at];
        switch (head & 0xFF)
        {
            case ProgramOp.Key:
            {
                var scope = head >> 8;
                var any = false;
                foreach (ref readonly var o in _article.Occurrences(p[at + 1]))
                {
                    if (!InScope(o, scope)) continue;
                    any = true;
                    Hits.Add(new Hit(o.Field, o.Start, o.Length));
                }
                return any;
            }
            case ProgramOp.Phrase:
                return Phrase(p, at, collect: true);
            case ProgramOp.Near:
                return Near(p, at, collect: true);
            case ProgramOp.And:
            {
                var mark = Hits.Count;
                var n = p[at + 1];
                var c = at + 3;
                for (var i = 0; i < n; i++, c += ProgramOp.Length(p, c))
                {
                    if (Collect(p, c)) continue;
                    Hits.RemoveRange(mark, Hits.Count - mark);
                    return false;
                }
                return true;
            }
            case ProgramOp.Or:
            {
                var any = false;
                var n = p[at + 1];
                var c = at + 3;
                for (var i = 0; i < n; i++, c += ProgramOp.Length(p, c))
                    any |= Collect(p, c);
                return any;
            }
            default:
                return !Eval(p, at + 2);
        }
    }

    private bool Phrase(int[] p, int at, bool collect)
    {
        var scope = p[at] >> 8;
        var n = p[at + 1];
        var keys = at + 2;
        for (var i = 1; i < n; i++)
            if (_article.Occurrences(p[keys + i]).IsEmpty) return false;
        var any = false;
        foreach (ref readonly var first in _article.Occurrences(p[keys]))
        {
            if (!InScope(first, scope)) continue;
            var last = first;
            var ok = true;
            for (var i = 1; i < n && ok; i++)
            {
                var next = _article.Occurrences(p[keys + i]);
                var found = ScannedArticle.FindPosition(next, last.EndPosition + 1);
                if (found < 0) ok = false;
                else last = next[found];
            }
            if (!ok) continue;
            if (!collect) return true;
            any = true;
            Hits.Add(new Hit(first.Field, first.Start, last.Start + last.Length - first.Start));
        }
        return any;
    }

    /// <summary>Sliding window over the words' merged positions: a window [p, p + distance] starting at an
    /// occurrence must hold each word as often as the query repeats it (same definition as the evaluator).</summary>
    private bool Near(int[] p, int at, bool collect)
    {
        var scope = p[at] >> 8;
        var n = p[at + 1];
        var distance = p[at + 2];
        var total = 0;
        for (var t = 0; t < n; t++)
        {
            var occ = _article.Occurrences(p[at + 3 + 2 * t]);
            var need = p[at + 4 + 2 * t];
            if (occ.Length < need) return false;
            var inScope = 0;
            foreach (ref readonly var o in occ)
            {
                if (!InScope(o, scope)) continue;
                inScope++;
                if (total == _nearPos.Length)
                {
                    Array.Resize(ref _nearPos, total * 2);
                    Array.Resize(ref _nearIndex, total * 2);
                    Array.Resize(ref _nearTerm, total * 2);
                    Array.Resize(ref _nearOcc, total * 2);
                }
                _nearPos[total] = o.Position;
                _nearIndex[total] = total;
                _nearTerm[total] = t;
                _nearOcc[total] = o;
                total++;
            }
            if (inScope < need) return false;
            _nearNeed[t] = need;
            _nearHave[t] = 0;
        }
        Array.Sort(_nearPos, _nearIndex, 0, total);
        var any = false;
        var j = 0;
        // Windows overlap: each occurrence is added once (the first window that holds it), so collecting stays
        // linear in the occurrences instead of occurrences x distance, and the hits are the same set.
        var added = 0;
        for (var i = 0; i < total; i++)
        {
            var limit = _nearPos[i] + distance;
            while (j < total && _nearPos[j] <= limit) _nearHave[_nearTerm[_nearIndex[j++]]]++;
            var ok = true;
            for (var t = 0; t < n && ok; t++) ok = _nearHave[t] >= _nearNeed[t];
            if (ok)
            {
                if (!collect) return true;
                any = true;
                for (var k = Math.Max(i, added); k < j; k++)
                {
                    ref readonly var o = ref _nearOcc[_nearIndex[k]];
                    Hits.Add(new Hit(o.Field, o.Start, o.Length));
                }
                added = j;
            }
            _nearHave[_nearTerm[_nearIndex[i]]]--;
        }
        return any;
    }
}
