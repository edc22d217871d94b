package ui

import (
	"context"
	"fmt"

	"charm.land/bubbles/v2/key"
	"charm.land/bubbles/v2/viewport"
	tea "charm.land/bubbletea/v2"
	"charm.land/huh/v2"

	"github.com/hanavault/hanavault/internal/spec"
	"github.com/hanavault/hanavault/internal/steps"
)

// destroyState is the destroy screen: what would go, and the SID the user
// must type.
type destroyState struct {
	preview *steps.DestroyPreview
	back    screen
	vp      viewport.Model
	typed   string
}

// openDestroy previews the destroy of a known landscape.
func (m *model) openDestroy(k steps.KnownLandscape, back screen) tea.Cmd {
	eng := m.cfg.Engine
	return m.startOp("Reading what destroy would delete from "+k.SID, back, func(ctx context.Context) func(*model) tea.Cmd {
		l, err := m.resolve(ctx, k)
		if err != nil {
			return func(m *model) tea.Cmd { return m.fail(err) }
		}
		p, err := eng.PreviewDestroy(ctx, l)
		return func(m *model) tea.Cmd { return m.showDestroy(l, p, err, back) }
	})
}

// destroyOf previews the destroy of l.
func (m *model) destroyOf(l spec.Landscape, back screen) tea.Cmd {
	eng := m.cfg.Engine
	return m.startOp("Reading what destroy would delete from "+l.SID, back, func(ctx context.Context) func(*model) tea.Cmd {
		p, err := eng.PreviewDestroy(ctx, l)
		return func(m *model) tea.Cmd { return m.showDestroy(l, p, err, back) }
	})
}

// showDestroy shows the preview and asks for the SID.
func (m *model) showDestroy(l spec.Landscape, p *steps.DestroyPreview, err error, back screen) tea.Cmd {
	if err != nil {
		return m.fail(fmt.Errorf("preview destroy of landscape %s: %w", l.SID, err))
	}
	m.land = l
	d := &destroyState{preview: p, back: back, vp: newViewport()}
	m.destroy = d
	m.screen = scrDestroy
	sid := l.SID
	in := huh.NewInput().
		Title(fmt.Sprintf("Type %s to destroy it in both regions", sid)).
		Description("esc cancels; nothing is touched until you type the SID.").
		Value(&d.typed).
		Validate(func(s string) error {
			if s != sid {
				return fmt.Errorf("that is not %s: nothing was destroyed", sid)
			}
			return nil
		})
	cmd := m.openDialog(in, func(m *model) tea.Cmd {
		return m.startRun(runDestroy, m.destroy.preview.Changes)
	}, func(m *model) tea.Cmd {
		return m.backTo(m.destroy.back)
	})
	d.layout(m)
	return cmd
}

// dialogLines is the height the SID dialog takes under the preview.
const dialogLines = 5

func (d *destroyState) layout(m *model) {
	d.vp.SetWidth(m.width)
	d.vp.SetHeight(m.viewportHeight(dialogLines + 2))
	d.vp.SetContent(destroyBody(d.preview, m.st.look, m.width))
}

// destroyKey scrolls the preview; the dialog has every other key.
func (m *model) destroyKey(msg tea.KeyPressMsg) tea.Cmd {
	if key.Matches(msg, m.keys.Back) {
		return m.backTo(m.destroy.back)
	}
	if jump(&m.destroy.vp, msg) {
		return nil
	}
	var cmd tea.Cmd
	m.destroy.vp, cmd = m.destroy.vp.Update(msg)
	return cmd
}

func (m *model) destroyView() string {
	return m.destroy.vp.View() + "\n" + scrollLine(m, m.destroy.vp)
}
