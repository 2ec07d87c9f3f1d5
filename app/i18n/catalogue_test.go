package i18n

import (
	"go/ast"
	"go/parser"
	"go/token"
	"io/fs"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/parleychat/parley/app/parley"
)

// moduleRoot is where Parley's sources are, from this package's directory.
const moduleRoot = "../.."

// shownErrors are the domain's errors whose text people see as it is.
var shownErrors = []error{
	parley.ErrUsernameLength, parley.ErrUsernameChars, parley.ErrPasswordShort,
	parley.ErrPasswordLong, parley.ErrMessageTooLong, parley.ErrMessageEncoding,
	parley.ErrRoomNameLength, parley.ErrRoomNameChars, parley.ErrMuteMinutes,
	parley.ErrAccountName,
}

// usedStrings are the string literals handed to T, Plural and Msg in
// Parley's non-test Go files, the generated templates included.
type usedStrings struct {
	texts   map[string][]string    // message -> where
	plurals map[[2]string][]string // forms -> where
}

func scanSources(t *testing.T) usedStrings {
	t.Helper()
	used := usedStrings{texts: map[string][]string{}, plurals: map[[2]string][]string{}}
	fset := token.NewFileSet()
	err := filepath.WalkDir(moduleRoot, func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() {
			switch d.Name() {
			case ".git", "node_modules", "tmp", "testdata":
				return filepath.SkipDir
			}
			return nil
		}
		if !strings.HasSuffix(path, ".go") || strings.HasSuffix(path, "_test.go") {
			return nil
		}
		f, err := parser.ParseFile(fset, path, nil, 0)
		if err != nil {
			return err
		}
		ast.Inspect(f, func(n ast.Node) bool {
			call, ok := n.(*ast.CallExpr)
			if !ok {
				return true
			}
			sel, ok := call.Fun.(*ast.SelectorExpr)
			if !ok {
				return true
			}
			where := fset.Position(call.Pos()).String()
			lits := stringLiterals(call.Args)
			switch sel.Sel.Name {
			case "T", "Msg":
				if len(lits) > 0 && lits[0].index <= 1 {
					used.texts[lits[0].value] = append(used.texts[lits[0].value], where)
				}
			case "Plural":
				if len(lits) >= 2 {
					forms := [2]string{lits[0].value, lits[1].value}
					used.plurals[forms] = append(used.plurals[forms], where)
				}
			}
			return true
		})
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return used
}

type literal struct {
	index int
	value string
}

func stringLiterals(args []ast.Expr) []literal {
	var lits []literal
	for i, a := range args {
		if bl, ok := a.(*ast.BasicLit); ok && bl.Kind == token.STRING {
			if v, err := strconv.Unquote(bl.Value); err == nil {
				lits = append(lits, literal{i, v})
			}
		}
	}
	return lits
}

func TestEveryShownStringHasASpanishTranslation(t *testing.T) {
	used := scanSources(t)
	if len(used.texts) < 50 {
		t.Fatalf("found %d translated strings in the sources: the scan is broken", len(used.texts))
	}
	for _, err := range shownErrors {
		used.texts[err.Error()] = append(used.texts[err.Error()], "app/parley")
	}
	for msg, where := range used.texts {
		if _, ok := spanish[msg]; !ok {
			t.Errorf("no Spanish for %q (used at %s)", msg, where[0])
		}
	}
	for forms, where := range used.plurals {
		if _, ok := spanishPlural[forms]; !ok {
			t.Errorf("no Spanish for the plural %q (used at %s)", forms, where[0])
		}
	}
	for msg := range spanish {
		if _, ok := used.texts[msg]; !ok {
			t.Errorf("the Spanish catalogue translates %q, which nothing shows", msg)
		}
	}
	for forms := range spanishPlural {
		if _, ok := used.plurals[forms]; !ok {
			t.Errorf("the Spanish catalogue translates the plural %q, which nothing shows", forms)
		}
	}
}

var verb = regexp.MustCompile(`%[-+# 0-9.]*[a-zA-Z%]`)

func TestTranslationsKeepTheirPlaceholders(t *testing.T) {
	check := func(en, es string) {
		t.Helper()
		if strings.TrimSpace(es) == "" {
			t.Errorf("%q: empty translation", en)
		}
		if got, want := verb.FindAllString(es, -1), verb.FindAllString(en, -1); !slices.Equal(got, want) {
			t.Errorf("%q -> %q: placeholders %q, want %q", en, es, got, want)
		}
	}
	for en, es := range spanish {
		check(en, es)
	}
	for en, es := range spanishPlural {
		check(en[0], es[0])
		check(en[1], es[1])
	}
}

// tag matches an HTML tag; attr an attribute whose value people read.
var (
	tag   = regexp.MustCompile(`<[^>]*>`)
	attr  = regexp.MustCompile(`\b(title|placeholder|alt|aria-label|aria-description)="([^"]*)"`)
	words = regexp.MustCompile(`[A-Za-zÀ-ÿ]{2,}`)
)

// allowedWords are shown as they are in every language.
var allowedWords = []string{"Parley"}

// TestTemplatesShowNoLiteralText fails when a template writes words that
// do not go through the catalogue: the generated code writes a template's
// literal HTML with templruntime.WriteString, so any word in that HTML,
// outside tags or in an attribute people read, is untranslated.
func TestTemplatesShowNoLiteralText(t *testing.T) {
	paths, err := filepath.Glob(filepath.Join(moduleRoot, "components", "*_templ.go"))
	if err != nil || len(paths) == 0 {
		t.Fatalf("no generated templates found: %v", err)
	}
	fset := token.NewFileSet()
	literals := 0
	for _, path := range paths {
		f, err := parser.ParseFile(fset, path, nil, 0)
		if err != nil {
			t.Fatal(err)
		}
		for _, decl := range f.Decls {
			// A tag may span several literals, around the expressions in
			// it: join a component's literals in order, an expression
			// between each, before taking the tags away.
			var html strings.Builder
			ast.Inspect(decl, func(n ast.Node) bool {
				call, ok := n.(*ast.CallExpr)
				if !ok {
					return true
				}
				sel, ok := call.Fun.(*ast.SelectorExpr)
				if !ok || sel.Sel.Name != "WriteString" {
					return true
				}
				for _, lit := range stringLiterals(call.Args) {
					literals++
					html.WriteString(lit.value)
					html.WriteString("\x00")
				}
				return true
			})
			var shown []string
			for _, m := range attr.FindAllStringSubmatch(html.String(), -1) {
				shown = append(shown, m[2])
			}
			shown = append(shown, tag.ReplaceAllString(html.String(), " "))
			for _, s := range shown {
				for _, w := range words.FindAllString(s, -1) {
					if !slices.Contains(allowedWords, w) {
						t.Errorf("%s: template text %q is not translated", fset.Position(decl.Pos()), w)
					}
				}
			}
		}
	}
	if literals < 50 {
		t.Fatalf("found %d template literals: the scan is broken", literals)
	}
}
