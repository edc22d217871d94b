// Package conformance runs hanavault's engine end to end against moto, an
// independent AWS emulator, through the real SDK adapter: the control-plane
// flow apply → status → destroy, with every request serialised, signed and
// answered as on the wire. moto's documented gaps
// (/work/shared/docs/moto-notes.md) are named where an assertion allows for
// them; the product code is never bent to them.
package conformance
