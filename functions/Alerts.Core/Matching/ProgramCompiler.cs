namespace Alerts.Core.Matching;

/// <summary>
/// Turns a parsed query into the int program the index stores (<see cref="ProgramArena"/>): first its postings
/// from key extraction (<see cref="Presearcher"/>), <c>[n, (key, info)*n]</c>, then the query tree in
/// <see cref="ProgramOp"/> opcodes, over the same interned keys, for verification (<see cref="ProgramInterpreter"/>).
/// Runs under the index's write lock (it interns keys).
/// </summary>
internal readonly struct ProgramCompiler(IndexKeys keys)
{
    private readonly List<int> _code = [];

    public int[] Compile(Query query)
    {
        // Postings first: key ids are handed out in the order keys are first interned.
        var postings = new Presearcher(keys).Postings(query);
        _code.Add(postings.Count);
        foreach (var (key, info) in postings)
        {
            _code.Add(key);
            _code.Add(info);
        }
        Emit(query);
        return _code.ToArray();
    }

    private void Emit(Query query)
    {
        switch (query)
        {
            case TermQuery t:
                _code.Add(ProgramOp.Key | (int)t.Scope << 8);
                _code.Add(keys.InternWord(t.Term));
                break;
            case PrefixQuery p:
                _code.Add(ProgramOp.Key | (int)p.Scope << 8);
                _code.Add(keys.InternPrefix(p.Prefix));
                break;
            case SiteQuery s:
                _code.Add(ProgramOp.Key | ProgramOp.SiteScope << 8);
                _code.Add(keys.InternSite(s.Domain));
                break;
            case PhraseQuery { Distance: 0 } p:
                _code.Add(ProgramOp.Phrase | (int)p.Scope << 8);
                _code.Add(p.Terms.Count);
                foreach (var term in p.Terms) _code.Add(keys.InternPhraseTerm(term));
                break;
            case PhraseQuery p:
            {
                // Proximity: distinct words with how often each must occur in the window.
                var distinct = p.Terms.GroupBy(x => x, StringComparer.Ordinal).ToArray();
                _code.Add(ProgramOp.Near | (int)p.Scope << 8);
                _code.Add(distinct.Length);
                _code.Add(p.Distance);
                foreach (var group in distinct)
                {
                    _code.Add(keys.InternPhraseTerm(group.Key));
                    _code.Add(group.Count());
                }
                break;
            }
            case AndQuery or OrQuery:
            {
                var children = query is AndQuery a ? a.Children : ((OrQuery)query).Children;
                var at = _code.Count;
                _code.Add(query is AndQuery ? ProgramOp.And : ProgramOp.Or);
                _code.Add(children.Count);
                _code.Add(0);
                foreach (var child in children) Emit(child);
                _code[at + 2] = _code.Count - at;
                break;
            }
            case NotQuery n:
            {
                var at = _code.Count;
                _code.Add(ProgramOp.Not);
                _code.Add(0);
                Emit(n.Child);
                _code[at + 1] = _code.Count - at;
                break;
            }
            default:
                throw new ArgumentOutOfRangeException(nameof(query), query.GetType().Name);
        }
    }
}
