package report

import (
	"os"
	"reflect"
	"regexp"
	"strings"
	"testing"

	"github.com/hanavault/hanavault/internal/steps"
)

// jsonNames collects the JSON field names of t and of the structs it
// contains.
func jsonNames(t reflect.Type, seen map[reflect.Type]bool, out map[string]bool) {
	for t.Kind() == reflect.Pointer || t.Kind() == reflect.Slice || t.Kind() == reflect.Map {
		t = t.Elem()
	}
	if t.Kind() != reflect.Struct || seen[t] || t.PkgPath() == "time" {
		return
	}
	seen[t] = true
	for i := range t.NumField() {
		f := t.Field(i)
		name, _, _ := strings.Cut(f.Tag.Get("json"), ",")
		if f.Anonymous && name == "" {
			jsonNames(f.Type, seen, out)
			continue
		}
		if name == "" || name == "-" || !f.IsExported() {
			continue
		}
		out[name] = true
		jsonNames(f.Type, seen, out)
	}
}

// TestJSONDocCoversEveryField keeps docs/json.md in step with the types
// the --json output is made of: every field name must be documented.
func TestJSONDocCoversEveryField(t *testing.T) {
	doc, err := os.ReadFile("../../docs/json.md")
	if err != nil {
		t.Fatal(err)
	}
	names := map[string]bool{}
	seen := map[reflect.Type]bool{}
	for _, v := range []any{steps.Plan{}, steps.Status{}, steps.DestroyPreview{}, steps.Event{}, steps.Result{},
		PlanLine{}, DestroyPreviewLine{}, ResultLine{}, VerifyLine{}, RecallSummaryLine{}, RecallResultLine{}} {
		jsonNames(reflect.TypeOf(v), seen, names)
	}
	if len(names) < 40 {
		t.Fatalf("found only %d field names; the walk is broken", len(names))
	}
	for name := range names {
		// `name`, `name[]`, or a dotted path ending in it (`result.journal`).
		re := regexp.MustCompile("`(?:[A-Za-z\\[\\]]+\\.)*" + regexp.QuoteMeta(name) + "(?:\\[\\])?`")
		if !re.Match(doc) {
			t.Errorf("docs/json.md does not document the field %q", name)
		}
	}
}
