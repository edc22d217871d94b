package cli

import (
	"context"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"runtime"
	"sync"
	"time"

	"github.com/hanavault/hanavault/internal/app"
	"github.com/hanavault/hanavault/internal/report"
	"github.com/hanavault/hanavault/internal/spec"
	"github.com/hanavault/hanavault/internal/steps"
)

// debugLogName is the debug log's file name in the state directory.
const debugLogName = "debug.log"

// openDebugLog opens the file --debug (or HANAVAULT_DEBUG) names: the
// value of HANAVAULT_DEBUG when it is a path, else debug.log in the state
// directory. It returns nil when debugging is off.
func openDebugLog(f *Factory, g *GlobalOptions) (*debugLog, error) {
	env := f.Getenv("HANAVAULT_DEBUG")
	if !g.Debug && (env == "" || env == "0" || env == "false") {
		return nil, nil
	}
	path := env
	if path == "" || path == "1" || path == "true" {
		dir := g.StateDir
		if dir == "" {
			d, err := app.DefaultStateDir(f.Getenv, runtime.GOOS)
			if err != nil {
				return nil, err
			}
			dir = d
		}
		path = filepath.Join(dir, debugLogName)
	}
	if err := os.MkdirAll(filepath.Dir(path), 0o700); err != nil {
		return nil, fmt.Errorf("open the debug log: %w", err)
	}
	file, err := os.OpenFile(path, os.O_CREATE|os.O_APPEND|os.O_WRONLY, 0o600)
	if err != nil {
		return nil, fmt.Errorf("open the debug log: %w", err)
	}
	if abs, err := filepath.Abs(path); err == nil {
		path = abs
	}
	return &debugLog{path: path, w: file, close: file.Close}, nil
}

// debugLog is the file the SDK's log lines and the engine's calls and
// events go to with --debug. Writes are serialised: the SDK and the
// engine write from many goroutines.
type debugLog struct {
	path  string
	mu    sync.Mutex
	w     io.Writer
	close func() error
}

func (d *debugLog) Write(p []byte) (int, error) {
	d.mu.Lock()
	defer d.mu.Unlock()
	return d.w.Write(p)
}

// logf writes one timestamped line.
func (d *debugLog) logf(format string, args ...any) {
	fmt.Fprintf(d, "%s hanavault %s\n", time.Now().UTC().Format(time.RFC3339Nano), fmt.Sprintf(format, args...))
}

// wrap returns eng with its calls and events logged.
func (d *debugLog) wrap(eng Engine) Engine { return &loggedEngine{Engine: eng, log: d} }

// loggedEngine logs each engine call, its outcome, and every event of
// apply, roll back and destroy to the debug log.
type loggedEngine struct {
	Engine
	log *debugLog
}

func (e *loggedEngine) done(op, sid string, start time.Time, err error) {
	if err != nil {
		e.log.logf("engine %s %s failed after %s: %v", op, sid, time.Since(start).Round(time.Millisecond), err)
		return
	}
	e.log.logf("engine %s %s done in %s", op, sid, time.Since(start).Round(time.Millisecond))
}

func (e *loggedEngine) sink(s steps.Sink) steps.Sink {
	js := report.NewJSONSink(e.log)
	return steps.SinkFunc(func(ev steps.Event) {
		js.Emit(ev)
		s.Emit(ev)
	})
}

// logged runs one engine call and logs how it ended.
func logged[T any](e *loggedEngine, op, sid string, call func() (T, error)) (T, error) {
	start := time.Now()
	v, err := call()
	e.done(op, sid, start, err)
	return v, err
}

func (e *loggedEngine) Plan(ctx context.Context, l spec.Landscape) (*steps.Plan, error) {
	return logged(e, "plan", l.SID, func() (*steps.Plan, error) { return e.Engine.Plan(ctx, l) })
}

func (e *loggedEngine) Status(ctx context.Context, l spec.Landscape) (*steps.Status, error) {
	return logged(e, "status", l.SID, func() (*steps.Status, error) { return e.Engine.Status(ctx, l) })
}

func (e *loggedEngine) Preflight(ctx context.Context, l spec.Landscape) ([]steps.PreflightIssue, error) {
	return logged(e, "preflight", l.SID, func() ([]steps.PreflightIssue, error) { return e.Engine.Preflight(ctx, l) })
}

func (e *loggedEngine) Apply(ctx context.Context, l spec.Landscape, sink steps.Sink) (*steps.Result, error) {
	return logged(e, "apply", l.SID, func() (*steps.Result, error) { return e.Engine.Apply(ctx, l, e.sink(sink)) })
}

func (e *loggedEngine) RollbackLastRun(ctx context.Context, l spec.Landscape, sink steps.Sink) (*steps.Result, error) {
	return logged(e, "rollback", l.SID, func() (*steps.Result, error) { return e.Engine.RollbackLastRun(ctx, l, e.sink(sink)) })
}

func (e *loggedEngine) Destroy(ctx context.Context, l spec.Landscape, sink steps.Sink) (*steps.Result, error) {
	return logged(e, "destroy", l.SID, func() (*steps.Result, error) { return e.Engine.Destroy(ctx, l, e.sink(sink)) })
}

func (e *loggedEngine) DestroyWith(ctx context.Context, l spec.Landscape, sink steps.Sink, o steps.DestroyOptions) (*steps.Result, error) {
	return logged(e, "destroy", l.SID, func() (*steps.Result, error) { return e.Engine.DestroyWith(ctx, l, e.sink(sink), o) })
}

// Destroyed and RecentlyDestroyed pass the engine's optional answers on.
func (e *loggedEngine) Destroyed(ctx context.Context, sid string) (*steps.DestroyedLandscape, error) {
	if dr, ok := e.Engine.(destroyedReader); ok {
		return dr.Destroyed(ctx, sid)
	}
	return nil, nil
}

func (e *loggedEngine) RecentlyDestroyed(ctx context.Context) ([]steps.DestroyedLandscape, error) {
	if dl, ok := e.Engine.(interface {
		RecentlyDestroyed(context.Context) ([]steps.DestroyedLandscape, error)
	}); ok {
		return dl.RecentlyDestroyed(ctx)
	}
	return nil, nil
}
