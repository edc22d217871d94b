package layering

import (
	"bytes"
	"encoding/json"
	"errors"
	"io"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

const module = "github.com/hanavault/hanavault"

// pkg is what `go list -json` says about one package.
type pkg struct {
	ImportPath   string
	Module       *struct{ Path string }
	Imports      []string
	TestImports  []string
	XTestImports []string
}

// graph is every package the module's packages and their tests build
// from, by import path.
type graph map[string]*pkg

// loadGraph lists the module's packages, their tests and everything they
// import, transitively (go list -deps -test), from the module root. A
// package compiled for its tests appears a second time as "p [p.test]",
// and its external tests as "p_test [p.test]".
func loadGraph(t *testing.T) graph {
	t.Helper()
	root, err := filepath.Abs(filepath.Join("..", ".."))
	if err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command("go", "list", "-deps", "-test", "-json=ImportPath,Module,Imports,TestImports,XTestImports", "./...")
	cmd.Dir = root
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("go list: %v\n%s", err, stderr.String())
	}
	g := graph{}
	dec := json.NewDecoder(bytes.NewReader(out))
	for {
		var p pkg
		if err := dec.Decode(&p); errors.Is(err, io.EOF) {
			break
		} else if err != nil {
			t.Fatalf("decode go list output: %v", err)
		}
		g[p.ImportPath] = &p
	}
	return g
}

// own returns the module's packages (not their test variants), sorted.
func (g graph) own() []string {
	var out []string
	for path, p := range g {
		if p.Module != nil && p.Module.Path == module && !strings.Contains(path, " ") && !strings.HasSuffix(path, ".test") {
			out = append(out, path)
		}
	}
	slices.Sort(out)
	return out
}

// chain returns the import chain from the package from to the first
// package it depends on (itself included) that bad matches, or nil.
func (g graph) chain(from string, bad func(string) bool) []string {
	prev := map[string]string{from: ""}
	queue := []string{from}
	for len(queue) > 0 {
		cur := queue[0]
		queue = queue[1:]
		if name, _, _ := strings.Cut(cur, " "); bad(name) {
			var c []string
			for p := cur; p != ""; p = prev[p] {
				c = append(c, p)
			}
			slices.Reverse(c)
			return c
		}
		if p := g[cur]; p != nil {
			for _, imp := range p.Imports {
				if _, seen := prev[imp]; !seen {
					prev[imp] = cur
					queue = append(queue, imp)
				}
			}
		}
	}
	return nil
}

// under matches the import paths at or below any of prefixes.
func under(prefixes ...string) func(string) bool {
	return func(path string) bool {
		for _, p := range prefixes {
			if path == p || strings.HasPrefix(path, p+"/") {
				return true
			}
		}
		return false
	}
}

func internal(name string) string { return module + "/internal/" + name }

var (
	awsSDK = under("github.com/aws/aws-sdk-go-v2", "github.com/aws/smithy-go")
	charm  = under("charm.land", "github.com/charmbracelet")
	// interactive is the part of Charm that runs a terminal program. The
	// plain reporter may style text (lipgloss, colorprofile, x/ansi) but
	// must work without a terminal program.
	interactive = under("charm.land/bubbletea", "charm.land/huh", "charm.land/bubbles",
		"github.com/charmbracelet/bubbletea", "github.com/charmbracelet/huh", "github.com/charmbracelet/bubbles")
	adapter = func(path string) bool { return path == internal("awsapi") || awsSDK(path) }
)

// TestOnlyTheAdapterImportsTheAWSSDK: no package but internal/awsapi
// imports the AWS SDK or smithy, in its code or in its tests. Everything
// else talks to AWS through the interfaces in internal/cloud.
func TestOnlyTheAdapterImportsTheAWSSDK(t *testing.T) {
	g := loadGraph(t)
	own := g.own()
	if !slices.Contains(own, internal("awsapi")) {
		t.Fatalf("%s not found among the module's packages %v: update this test", internal("awsapi"), own)
	}
	for _, path := range own {
		if path == internal("awsapi") {
			continue
		}
		p := g[path]
		for _, imp := range slices.Concat(p.Imports, p.TestImports, p.XTestImports) {
			if awsSDK(imp) {
				t.Errorf("%s imports %s: only %s may import the AWS SDK and smithy", path, imp, internal("awsapi"))
			}
		}
	}
}

// TestLayersKeepApart: the packages of each rule never depend, directly or
// through other packages, in their code or in their tests, on what their
// layer must not know.
func TestLayersKeepApart(t *testing.T) {
	g := loadGraph(t)
	core := []string{"steps", "spec", "policy", "policy/eval", "journal", "discover", "cloud", "memaws", "verify", "recall", "recovery"}
	rules := []struct {
		pkgs   []string
		bad    func(string) bool
		what   string
		reason string
	}{
		{
			pkgs: core, bad: charm, what: "Charm",
			reason: "the engine and what it builds on know nothing about terminals; they emit events",
		},
		{
			pkgs: append(slices.Clone(core), "report", "ui", "iostreams"), bad: adapter, what: "the AWS adapter or the AWS SDK",
			reason: "only internal/app wires the AWS adapter in; everything else uses the interfaces in internal/cloud",
		},
		{
			pkgs: []string{"report"}, bad: interactive, what: "an interactive Charm package (bubbletea, huh, bubbles)",
			reason: "plain and --json output must work without a terminal program; styling text with lipgloss is fine",
		},
	}
	for _, r := range rules {
		for _, name := range r.pkgs {
			path := internal(name)
			if g[path] == nil {
				t.Errorf("package %s not found: update this test's rules", path)
				continue
			}
			for _, from := range []string{path, path + " [" + path + ".test]", path + "_test [" + path + ".test]"} {
				if g[from] == nil {
					continue // no tests of that kind
				}
				if c := g.chain(from, r.bad); c != nil {
					t.Errorf("%s depends on %s: %s.\n%s", from, r.what, r.reason, strings.Join(c, "\n  imports "))
					break // its tests build on the same code
				}
			}
		}
	}
}
