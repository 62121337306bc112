package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"os"
	"os/signal"
	"path/filepath"
	"strings"

	"psopdesk/data"
	"psopdesk/data/cache"
	"psopdesk/sync/client"
	"psopdesk/ui/print"
)

// runCLI runs a headless subcommand: args[0] is "sync" or "statement".
// It returns the process exit code: 0 done, 1 failed, 2 bad usage.
func runCLI(args []string) int {
	return runCLIWith(args, os.Stdout, os.Stderr)
}

func runCLIWith(args []string, stdout, stderr io.Writer) int {
	if len(args) == 0 {
		fmt.Fprintln(stderr, "käyttö: psopdesk [sync|statement] ...")
		return 2
	}
	var err error
	switch args[0] {
	case "sync":
		err = cmdSync(args[1:], stdout, stderr)
	case "statement":
		err = cmdStatement(args[1:], stdout, stderr)
	default:
		fmt.Fprintf(stderr, "tuntematon komento %q: käytä sync tai statement\n", args[0])
		return 2
	}
	var ue usageError
	switch {
	case err == nil:
		return 0
	case errors.Is(err, flag.ErrHelp):
		return 2
	case errors.As(err, &ue):
		fmt.Fprintf(stderr, "psopdesk %s: %v\n", args[0], err)
		return 2
	default:
		fmt.Fprintf(stderr, "psopdesk %s: %v\n", args[0], err)
		return 1
	}
}

// usageError is a wrong or missing flag.
type usageError struct{ msg string }

func (e usageError) Error() string { return e.msg }

func defaultCacheDir() string {
	dir, err := os.UserConfigDir()
	if err != nil {
		return "psopdesk-cache"
	}
	return filepath.Join(dir, "psopdesk")
}

// cmdSync pulls the change feed of -server into the cache at -cache.
func cmdSync(args []string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("sync", flag.ContinueOnError)
	fs.SetOutput(stderr)
	server := fs.String("server", "", "palvelunjärjestäjän palvelimen osoite, esim. https://psop.example.fi")
	keyFile := fs.String("api-key-file", "", "tiedosto, jossa on API-avain")
	dir := fs.String("cache", defaultCacheDir(), "välimuistin kansio")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if *server == "" || *keyFile == "" {
		return usageError{"anna -server ja -api-key-file"}
	}
	key, err := client.LoadAPIKey(*keyFile)
	if err != nil {
		return err
	}
	c, err := cache.Open(*dir)
	if err != nil {
		return err
	}
	defer c.Close()

	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	defer stop()
	p, err := client.NewClient(*server, key).Pull(ctx, c, func(p client.Progress) {
		slog.Debug("sync page", "pages", p.Pages, "changes", p.Changes, "cursor", p.Cursor)
	})
	if err != nil {
		return err
	}
	fmt.Fprintf(stdout, "synkronoitu: %d muutosta, kohdistin %d\n", p.Changes, p.Cursor)
	return nil
}

// cmdStatement writes a co-payment statement PDF from the cache.
func cmdStatement(args []string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("statement", flag.ContinueOnError)
	fs.SetOutput(stderr)
	dir := fs.String("cache", defaultCacheDir(), "välimuistin kansio")
	number := fs.String("customer-number", "", "palveluntuottajan asiakasnumero, esim. A-1001")
	service := fs.String("service", "", "palvelun nimi, esim. Kotihoito")
	fromS := fs.String("from", "", "alkupäivä p.k.vvvv")
	toS := fs.String("to", "", "loppupäivä p.k.vvvv")
	out := fs.String("o", "", "PDF-tiedosto, johon erittely kirjoitetaan")
	lang := fs.String("lang", "fi", "kieli: fi, en tai sv")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if *number == "" || *service == "" || *fromS == "" || *toS == "" || *out == "" {
		return usageError{"anna -customer-number, -service, -from, -to ja -o"}
	}
	from, err := data.ParseFinnishDate(*fromS)
	if err != nil {
		return usageError{"-from: " + err.Error()}
	}
	to, err := data.ParseFinnishDate(*toS)
	if err != nil {
		return usageError{"-to: " + err.Error()}
	}
	c, err := cache.Open(*dir)
	if err != nil {
		return err
	}
	defer c.Close()
	if cur, err := c.Cursor(); err != nil {
		return err
	} else if cur == 0 {
		return fmt.Errorf("välimuistissa %s ei ole vielä tietoja: hae ne ensin komennolla psopdesk sync (tai avaa PSOP Desk)", *dir)
	}
	cust, err := c.CustomerByNumber(*number)
	if err != nil {
		return err
	}
	svc, err := c.ServiceByName(*service)
	if errors.Is(err, cache.ErrNotFound) {
		var names []string
		if all, lerr := c.Services(); lerr == nil {
			for _, s := range all {
				names = append(names, s.Name)
			}
		}
		return fmt.Errorf("%w; palvelut: %s", err, strings.Join(names, ", "))
	}
	if err != nil {
		return err
	}
	st, err := c.Statement(cust.ID, svc.ID, from, to, data.Today())
	if err != nil {
		return err
	}
	if err := print.StatementFile(*out, st, print.Options{Language: *lang}); err != nil {
		return err
	}
	fmt.Fprintf(stdout, "omavastuuerittely: %d riviä, omavastuu yhteensä %s -> %s\n",
		len(st.Rows), st.Totals.CoPayment, *out)
	return nil
}
