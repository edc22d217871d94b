package spec

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"maps"
	"os"
	"reflect"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/goccy/go-yaml"
	"github.com/goccy/go-yaml/ast"
	"github.com/goccy/go-yaml/lexer"
	"github.com/goccy/go-yaml/parser"
	"github.com/goccy/go-yaml/token"
)

// ParseError is a problem at a position in a landscape file.
type ParseError struct {
	File string // file name as given to Parse or Load
	Line int    // 1-based; 0 when unknown
	Col  int    // 1-based; 0 when unknown
	Msg  string
}

// Error formats the error as file:line:col: message.
func (e *ParseError) Error() string {
	var b strings.Builder
	if e.File != "" {
		b.WriteString(e.File)
		b.WriteByte(':')
	}
	if e.Line > 0 {
		fmt.Fprintf(&b, "%d:%d:", e.Line, e.Col)
	}
	if b.Len() > 0 {
		b.WriteByte(' ')
	}
	b.WriteString(e.Msg)
	return b.String()
}

// ParseErrors is every problem Parse found, in file order. Parse returns
// it for any invalid file; use errors.As to reach a *ParseError.
type ParseErrors []*ParseError

// Error lists the errors one per line.
func (es ParseErrors) Error() string {
	lines := make([]string, len(es))
	for i, e := range es {
		lines[i] = e.Error()
	}
	return strings.Join(lines, "\n")
}

// Unwrap returns the individual errors.
func (es ParseErrors) Unwrap() []error {
	out := make([]error, len(es))
	for i, e := range es {
		out[i] = e
	}
	return out
}

// Limits of a landscape file, checked before the YAML parser sees it: a
// real landscape has some 30 keys and at most MaxUserTags tags, and the
// parser's time grows with the square of the keys (100,000 keys took a
// minute, a 50 MB file overflowed its stack), so a file past them is
// refused at once.
const (
	MaxFileSize = 1 << 20 // bytes
	MaxKeys     = 500     // mapping keys, tags included
	MaxTokens   = 20_000  // YAML tokens, comments included
	MaxDepth    = 32      // nesting of mappings and lists
)

// Load reads and parses the landscape file at path (see Parse).
func Load(path string) (Landscape, error) {
	return LoadContext(context.Background(), path)
}

// LoadContext is Load that gives up when ctx is done. It reads at most
// MaxFileSize bytes.
func LoadContext(ctx context.Context, path string) (Landscape, error) {
	f, err := os.Open(path)
	if err != nil {
		return Landscape{}, fmt.Errorf("read landscape file: %w", err)
	}
	defer f.Close()
	data, err := ReadLimited(f, path)
	if err != nil {
		return Landscape{}, err
	}
	return ParseContext(ctx, data, path)
}

// ReadLimited reads a landscape file from r, refusing one larger than
// MaxFileSize without reading the rest; name is used in the error.
func ReadLimited(r io.Reader, name string) ([]byte, error) {
	data, err := io.ReadAll(io.LimitReader(r, MaxFileSize+1))
	if err != nil {
		return nil, fmt.Errorf("read landscape file: %w", err)
	}
	if len(data) > MaxFileSize {
		return nil, ParseErrors{{File: name, Msg: fmt.Sprintf("the file has more than %d bytes; a landscape file holds at most %d (1 MiB)", MaxFileSize, MaxFileSize)}}
	}
	return data, nil
}

// ParseContext is Parse that returns ctx's error as soon as ctx is done
// (Ctrl+C), even while the YAML parser is still at work.
func ParseContext(ctx context.Context, data []byte, filename string) (Landscape, error) {
	if err := ctx.Err(); err != nil {
		return Landscape{}, err
	}
	type result struct {
		l   Landscape
		err error
	}
	done := make(chan result, 1)
	go func() {
		l, err := Parse(data, filename)
		done <- result{l, err}
	}()
	select {
	case r := <-done:
		return r.l, r.err
	case <-ctx.Done():
		return Landscape{}, ctx.Err()
	}
}

// checkLimits refuses a file past the limits above; it runs the YAML
// lexer only, whose time grows linearly with the file.
func checkLimits(data []byte, filename string) *ParseError {
	if len(data) > MaxFileSize {
		return &ParseError{File: filename, Msg: fmt.Sprintf("the file has %d bytes; a landscape file holds at most %d (1 MiB)", len(data), MaxFileSize)}
	}
	keys, depth := 0, 0
	toks := lexer.Tokenize(string(data))
	if len(toks) > MaxTokens {
		return &ParseError{File: filename, Msg: fmt.Sprintf("the file has more than %d YAML tokens; a landscape file holds far fewer", MaxTokens)}
	}
	for _, tk := range toks {
		at := func(msg string) *ParseError {
			e := &ParseError{File: filename, Msg: msg}
			if tk.Position != nil {
				e.Line, e.Col = tk.Position.Line, tk.Position.Column
			}
			return e
		}
		switch tk.Type {
		case token.MappingValueType:
			if keys++; keys > MaxKeys {
				return at(fmt.Sprintf("more than %d keys; a landscape has about 30 settings and at most %d tags", MaxKeys, MaxUserTags))
			}
		case token.SequenceStartType, token.MappingStartType:
			if depth++; depth > MaxDepth {
				return at(fmt.Sprintf("nested more than %d levels deep", MaxDepth))
			}
		case token.SequenceEndType, token.MappingEndType:
			depth--
		}
		if tk.Position != nil && tk.Position.IndentLevel > MaxDepth {
			return at(fmt.Sprintf("nested more than %d levels deep", MaxDepth))
		}
	}
	return nil
}

// Parse decodes a landscape.yaml strictly: unknown keys (with a
// suggestion), values of the wrong type, duplicate keys, several
// documents, anchors, aliases and YAML tags are errors that carry the line
// and column. Values that YAML would silently turn into other text (0123,
// 1.50, True) must be quoted; numbers must be plain decimal whole numbers.
// An explicit 0 is rejected for options that do not allow it, since 0
// would otherwise silently mean "default".
//
// Parse returns the values as written, without defaults (see Normalized),
// except that it resolves lifecycle.transitionDays, whose 0 is a valid
// setting: when the file sets transitionDays but not storageClass, the
// result gets the default storageClass so that the 0 sticks; when it sets
// storageClass but not transitionDays, the result gets the default
// transitionDays. filename is only used in error messages.
func Parse(data []byte, filename string) (Landscape, error) {
	data = bytes.TrimPrefix(data, []byte("\ufeff"))
	if e := checkLimits(data, filename); e != nil {
		return Landscape{}, ParseErrors{e}
	}
	d := &decoder{file: filename, present: map[string]bool{}}
	f, err := parser.ParseBytes(data, 0)
	if err != nil {
		return Landscape{}, ParseErrors{d.yamlError(err)}
	}
	var body ast.Node
	for _, doc := range f.Docs {
		if doc == nil || doc.Body == nil {
			continue
		}
		if _, ok := doc.Body.(*ast.DirectiveNode); ok {
			continue
		}
		if body != nil {
			d.errorAt(doc.Body, "a landscape file holds one YAML document; remove this one or the --- before it")
			return Landscape{}, d.errs
		}
		body = doc.Body
	}
	var l Landscape
	if body == nil || body.Type() == ast.NullType {
		return l, nil
	}
	m, ok := body.(*ast.MappingNode)
	if !ok {
		d.errorAt(body, fmt.Sprintf("want a mapping of landscape keys (key: value lines), got %s", describe(body)))
		return Landscape{}, d.errs
	}
	d.mapping("", topSchema, m)
	if len(d.errs) > 0 {
		return Landscape{}, d.errs
	}
	if err := yaml.NodeToValue(body, &l, yaml.DisallowUnknownField()); err != nil {
		return Landscape{}, ParseErrors{d.yamlError(err)}
	}
	lc := &l.Lifecycle
	switch hasClass := strings.TrimSpace(lc.StorageClass) != ""; {
	case d.present["lifecycle.transitionDays"] && !hasClass:
		lc.StorageClass = DefaultStorageClass
	case !d.present["lifecycle.transitionDays"] && hasClass:
		lc.TransitionDays = DefaultTransitionDays
	}
	return l, nil
}

// fieldSchema is the expected shape of one key's value.
type fieldSchema struct {
	kind reflect.Kind           // String, Int, Bool, Struct (a nested mapping) or Map (string to string)
	sub  map[string]fieldSchema // keys of a nested mapping
}

// topSchema and lifecycleSchema are read from the yaml tags of Landscape
// and Lifecycle, so the parser cannot drift from the struct.
var (
	topSchema       = schemaOf(reflect.TypeFor[Landscape]())
	lifecycleSchema = schemaOf(reflect.TypeFor[Lifecycle]())
)

func schemaOf(t reflect.Type) map[string]fieldSchema {
	s := map[string]fieldSchema{}
	for i := 0; i < t.NumField(); i++ {
		f := t.Field(i)
		name, _, _ := strings.Cut(f.Tag.Get("yaml"), ",")
		ft := f.Type
		if ft.Kind() == reflect.Pointer { // an optional value whose zero means something
			ft = ft.Elem()
		}
		fs := fieldSchema{kind: ft.Kind()}
		if fs.kind == reflect.Struct {
			fs.sub = schemaOf(ft)
		}
		s[name] = fs
	}
	return s
}

// decoder checks a landscape document's AST against the schema and
// collects every problem with its position.
type decoder struct {
	file    string
	errs    ParseErrors
	present map[string]bool // dotted keys given a non-null value
}

func (d *decoder) errorAt(n ast.Node, msg string) {
	e := &ParseError{File: d.file, Msg: msg}
	if m, ok := n.(*ast.MappingNode); ok && !m.IsFlowStyle && len(m.Values) > 0 {
		n = m.Values[0].Key // a block mapping's own token is its first colon
	}
	if tk := n.GetToken(); tk != nil && tk.Position != nil {
		e.Line, e.Col = tk.Position.Line, tk.Position.Column
	}
	d.errs = append(d.errs, e)
}

// yamlError converts an error of the YAML library into a ParseError,
// keeping its position.
func (d *decoder) yamlError(err error) *ParseError {
	e := &ParseError{File: d.file, Msg: err.Error()}
	var ye yaml.Error
	if errors.As(err, &ye) {
		e.Msg = ye.GetMessage()
		if tk := ye.GetToken(); tk != nil && tk.Position != nil {
			e.Line, e.Col = tk.Position.Line, tk.Position.Column
		}
	}
	return e
}

// mapping checks the keys and values of a mapping against schema; prefix
// is the dotted path of the mapping ("" at the top, "lifecycle." inside).
func (d *decoder) mapping(prefix string, schema map[string]fieldSchema, m *ast.MappingNode) {
	for _, mv := range m.Values {
		key, ok := d.key(mv.Key)
		if !ok {
			continue
		}
		fs, known := schema[key]
		if !known {
			d.errorAt(mv.Key, unknownKeyMessage(prefix, key, schema))
			continue
		}
		d.value(prefix+key, fs, mv.Value)
	}
}

// key returns the text of a mapping key, reporting keys that are not
// plain text.
func (d *decoder) key(k ast.MapKeyNode) (string, bool) {
	switch k := k.(type) {
	case *ast.StringNode:
		return k.Value, true
	case *ast.MergeKeyNode:
		d.errorAt(k, "merge keys (<<) are not supported in landscape files")
	case *ast.MappingKeyNode:
		d.errorAt(k, "explicit keys (? key) are not supported in landscape files")
	case *ast.NullNode:
		d.errorAt(k, "empty key")
	default:
		if tk := k.GetToken(); tk != nil {
			return tk.Value, true
		}
		d.errorAt(k, "unsupported key")
	}
	return "", false
}

func unknownKeyMessage(prefix, key string, schema map[string]fieldSchema) string {
	msg := fmt.Sprintf("unknown key %q", clip(key))
	if prefix != "" {
		msg += " in " + strings.TrimSuffix(prefix, ".")
	}
	if prefix == "" {
		if _, ok := lifecycleSchema[key]; ok {
			return msg + ` (it belongs under "lifecycle:")`
		}
	} else if _, ok := topSchema[key]; ok {
		return msg + " (it belongs at the top level, not under " + strings.TrimSuffix(prefix, ".") + ")"
	}
	if s := closest(key, slices.Sorted(maps.Keys(schema))); s != "" {
		msg += fmt.Sprintf(" (did you mean %q?)", s)
	}
	return msg
}

// value checks one value against its schema.
func (d *decoder) value(path string, fs fieldSchema, v ast.Node) {
	switch v.(type) {
	case *ast.AnchorNode, *ast.AliasNode:
		d.errorAt(v, path+": anchors and aliases (&, *) are not supported in landscape files")
		return
	case *ast.TagNode:
		d.errorAt(v, path+": YAML tags (!!type) are not supported in landscape files")
		return
	case *ast.NullNode:
		return // the zero value: default
	}
	d.present[path] = true
	switch fs.kind {
	case reflect.String:
		d.text(path, v)
	case reflect.Int:
		d.number(path, v)
	case reflect.Bool:
		if _, ok := v.(*ast.BoolNode); !ok {
			d.errorAt(v, fmt.Sprintf("%s: want true or false, got %s", path, describe(v)))
		}
	case reflect.Struct:
		m, ok := v.(*ast.MappingNode)
		if !ok {
			d.errorAt(v, fmt.Sprintf("%s: want a mapping of %s settings (indented key: value lines), got %s", path, path, describe(v)))
			return
		}
		d.mapping(path+".", fs.sub, m)
	case reflect.Map:
		m, ok := v.(*ast.MappingNode)
		if !ok {
			d.errorAt(v, fmt.Sprintf("%s: want a mapping of tag keys to values, got %s", path, describe(v)))
			return
		}
		for _, mv := range m.Values {
			key, ok := d.tagKey(path, mv.Key)
			if !ok {
				continue
			}
			if _, isNull := mv.Value.(*ast.NullNode); isNull {
				continue
			}
			switch mv.Value.(type) {
			case *ast.AnchorNode, *ast.AliasNode, *ast.TagNode:
				d.errorAt(mv.Value, path+"."+key+": anchors, aliases and YAML tags are not supported in landscape files")
				continue
			}
			d.text(path+"."+key, mv.Value)
		}
	}
}

// tagKey returns the text of a tag key, reporting keys YAML would change.
func (d *decoder) tagKey(path string, k ast.MapKeyNode) (string, bool) {
	switch k := k.(type) {
	case *ast.StringNode:
		return k.Value, true
	case *ast.IntegerNode:
		if canonicalInt.MatchString(k.GetToken().Value) {
			return k.GetToken().Value, true
		}
	case *ast.BoolNode:
		if v := k.GetToken().Value; v == "true" || v == "false" {
			return v, true
		}
	}
	d.errorAt(k, fmt.Sprintf("%s: tag keys are text; quote this key", path))
	return "", false
}

// plainDecimal matches whole numbers in decimal without leading zeros.
var plainDecimal = regexp.MustCompile(`^(0|-?[1-9][0-9]*)$`)

// canonicalInt matches the integers YAML reads back as the same text.
var canonicalInt = regexp.MustCompile(`^(0|-?[1-9][0-9]{0,17})$`)

// text checks a value for a string field: any text, or a number or boolean
// that reads back unchanged (123, true); others must be quoted.
func (d *decoder) text(path string, v ast.Node) {
	switch v := v.(type) {
	case *ast.StringNode, *ast.LiteralNode:
		return
	case *ast.IntegerNode:
		if canonicalInt.MatchString(v.GetToken().Value) {
			return
		}
	case *ast.BoolNode:
		if raw := v.GetToken().Value; raw == "true" || raw == "false" {
			return
		}
	case *ast.FloatNode, *ast.InfinityNode, *ast.NanNode:
	default:
		d.errorAt(v, fmt.Sprintf("%s: want text, got %s", path, describe(v)))
		return
	}
	raw := clip(v.GetToken().Value)
	d.errorAt(v, fmt.Sprintf("%s: YAML reads %s as %s, not as the text %q; quote it: %s", path, raw, describe(v), raw, strconv.Quote(raw)))
}

// number checks a value for an int field: a plain decimal whole number,
// and not an explicit 0 where 0 is outside the field's range.
func (d *decoder) number(path string, v ast.Node) {
	iv, ok := v.(*ast.IntegerNode)
	if !ok {
		msg := fmt.Sprintf("%s: want a whole number of days, got %s", path, describe(v))
		if s, isStr := v.(*ast.StringNode); isStr && plainDecimal.MatchString(strings.TrimSpace(s.Value)) {
			if quoted(s) {
				msg += " (remove the quotes)"
			} else {
				msg = fmt.Sprintf("%s: %s is too large", path, clip(s.Value))
			}
		}
		d.errorAt(v, msg)
		return
	}
	raw := iv.GetToken().Value
	if !plainDecimal.MatchString(raw) {
		d.errorAt(v, fmt.Sprintf("%s: write whole numbers in plain decimal without leading zeros, got %s", path, clip(raw)))
		return
	}
	n, err := strconv.Atoi(raw)
	if err != nil {
		d.errorAt(v, fmt.Sprintf("%s: %s is too large", path, clip(raw)))
		return
	}
	if r, ok := numberRanges[path]; ok && n == 0 && r.Min > 0 {
		d.errorAt(v, fmt.Sprintf("%s: 0 is not allowed (%d to %d); remove the key to use the default (%d)",
			path, r.Min, r.Max, defaultOf(path)))
	}
}

// quoted reports whether a string was written in quotes.
func quoted(s *ast.StringNode) bool {
	tk := s.GetToken()
	return tk.Type == token.DoubleQuoteType || tk.Type == token.SingleQuoteType
}

// defaultOf returns the default of a numeric option by yaml key.
func defaultOf(path string) int {
	var l Landscape
	l.ApplyDefaults()
	switch path {
	case "lifecycle.archiveDays":
		return l.Lifecycle.ArchiveDays
	case "lifecycle.noncurrentExpirationDays":
		return l.Lifecycle.NoncurrentExpirationDays
	case "lifecycle.abortIncompleteMultipartDays":
		return l.Lifecycle.AbortIncompleteMultipartDays
	case "logRetentionDays":
		return l.LogRetentionDays
	case "kmsDeletionWindowDays":
		return l.KMSDeletionWindowDays
	}
	return 0
}

// maxEcho is how many characters of a value an error message repeats.
const maxEcho = 80

// clip shortens a value echoed in an error message to maxEcho characters,
// marking the cut with an ellipsis and the full length.
func clip(s string) string {
	if utf8.RuneCountInString(s) <= maxEcho {
		return s
	}
	r := []rune(s)
	return fmt.Sprintf("%s… (%d characters)", string(r[:maxEcho]), len(r))
}

// describe names a node's kind for error messages.
func describe(n ast.Node) string {
	switch n := n.(type) {
	case *ast.MappingNode:
		return "a mapping"
	case *ast.SequenceNode:
		return "a list"
	case *ast.StringNode:
		return fmt.Sprintf("the text %q", clip(n.Value))
	case *ast.LiteralNode:
		return "a block of text"
	case *ast.BoolNode:
		return fmt.Sprint("the boolean ", n.Value)
	case *ast.IntegerNode:
		return "the number " + clip(fmt.Sprint(n.Value))
	case *ast.FloatNode:
		return "the number " + clip(fmt.Sprint(n.Value))
	case *ast.InfinityNode:
		return "the number " + clip(fmt.Sprint(n.Value))
	case *ast.NanNode:
		return "the number NaN"
	case *ast.NullNode:
		return "nothing (null)"
	}
	return "a " + n.Type().YAMLName()
}
