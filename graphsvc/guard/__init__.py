"""Reading SPARQL requests before they run: a grammar-true tokenizer (lexer), the guard that
refuses what this read-only endpoint must not run (query_guard) and readable syntax errors
(syntax_errors)."""

from graphsvc.guard.query_guard import MAX_NESTING, QueryShape, RefusedQuery, inspect_query, keywords
from graphsvc.guard.syntax_errors import SyntaxExplanation, explain_syntax_error

__all__ = ["MAX_NESTING", "QueryShape", "RefusedQuery", "SyntaxExplanation", "explain_syntax_error",
           "inspect_query", "keywords"]
