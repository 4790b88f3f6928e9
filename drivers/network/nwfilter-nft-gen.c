/* nwfilter-nft-gen.c: the filter tree of each binding walked with its variables into per-port chains of one nftables table (pure). */
#include "nwfilter-nft-gen.h"

#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define DEPTH_MAX 64                    /* nwfilter.c refuses loops; this stops a walk anyway */
#define RULE_VARS_MAX 8                 /* distinct variables in one rule */

enum { DIR_FROM, DIR_TO };              /* what the guest sends (direction out) / receives (in) */

typedef struct GenRule {
        int priority;
        unsigned seq;
        char *text;
} GenRule;

typedef struct GenList {
        GenRule *r;
        size_t n;
} GenList;

typedef struct GenChain {
        const char *name;               /* the filter's chain attribute (the definition's string) */
        int priority;
        unsigned seq;
        GenList dir[2];
} GenChain;

typedef struct Gen {
        GenChain *chains;
        size_t n_chains;
        size_t n_rules;
        unsigned seq;
        NWFilterLookupFn lookup;
        void *userdata;
        VbError *err;
} Gen;

/* Variables in scope: names may repeat (a variable with several values). */
typedef struct Env {
        NWFilterParam *p;
        size_t n;
} Env;

static int oom(Gen *g) {
        return vb_error_errno(g->err, -ENOMEM, "network filter rules");
}

static int list_add(Gen *g, GenList *l, int priority, unsigned seq, char *text) {
        GenRule *n = realloc(l->r, (l->n + 1) * sizeof *n);
        if (!n) {
                free(text);
                return oom(g);
        }
        l->r = n;
        l->r[l->n++] = (GenRule) { priority, seq, text };
        return 0;
}

static void gen_free(Gen *g) {
        for (size_t i = 0; i < g->n_chains; i++)
                for (int d = 0; d < 2; d++) {
                        for (size_t j = 0; j < g->chains[i].dir[d].n; j++)
                                free(g->chains[i].dir[d].r[j].text);
                        free(g->chains[i].dir[d].r);
                }
        free(g->chains);
        *g = (Gen) { .lookup = g->lookup, .userdata = g->userdata, .err = g->err };
}

static GenChain *chain_of(Gen *g, const NWFilterDef *def) {
        for (size_t i = 0; i < g->n_chains; i++)
                if (strcmp(g->chains[i].name, def->chain) == 0)
                        return &g->chains[i];
        GenChain *n = realloc(g->chains, (g->n_chains + 1) * sizeof *n);
        if (!n)
                return NULL;
        g->chains = n;
        n = &g->chains[g->n_chains++];
        *n = (GenChain) { .name = def->chain, .priority = def->priority, .seq = g->seq++ };
        return n;
}

/* "$NAME" → NAME's index among the rule's variables (added when new); -1: not a variable. */
static int var_of(Gen *g, const char *value, const char **vars, size_t *n_vars) {
        if (value[0] != '$')
                return -1;
        const char *name = value + 1;
        bool ok = isalpha((unsigned char) name[0]) || name[0] == '_';
        for (const char *c = name; ok && *c; c++)
                ok = isalnum((unsigned char) *c) || *c == '_';
        if (!ok)
                return vb_error_set(g->err, VB_ERR_OPERATION_UNSUPPORTED, VB_FROM_NWFILTER,
                                    "variable reference '%s' is not supported (only $NAME)", value) - 1;
        for (size_t i = 0; i < *n_vars; i++)
                if (strcmp(vars[i], name) == 0)
                        return (int) i;
        if (*n_vars >= RULE_VARS_MAX)
                return vb_error_set(g->err, VB_ERR_OPERATION_UNSUPPORTED, VB_FROM_NWFILTER,
                                    "a rule uses more than %d variables", RULE_VARS_MAX) - 1;
        vars[*n_vars] = name;
        return (int) (*n_vars)++;
}

/* The k-th value of name in env (NULL past the last); *count: how many it has. */
static const char *env_value(const Env *env, const char *name, size_t k, size_t *count) {
        const char *found = NULL;
        size_t c = 0;
        for (size_t i = 0; i < env->n; i++)
                if (strcmp(env->p[i].name, name) == 0 && c++ == k)
                        found = env->p[i].value;
        if (count)
                *count = c;
        return found;
}

static int add_instance(Gen *g, GenChain *ch, const NWFilterEntry *e, const NWFilterParam *attrs) {
        char *match = NULL, *text = NULL;
        if (nwfilter_nft_match(e->proto, attrs, e->n_attrs, &match, g->err) < 0)
                return -1;
        const char *verdict = nwfilter_nft_verdict(e->action);
        int r = asprintf(&text, "%s%s%s", match, match[0] ? " " : "", verdict);
        free(match);
        if (r < 0)
                return oom(g);
        if (++g->n_rules > NWFILTER_NFT_RULES_MAX) {
                free(text);
                return vb_error_set(g->err, VB_ERR_OPERATION_FAILED, VB_FROM_NWFILTER,
                                    "the filter expands to more than %u rules", NWFILTER_NFT_RULES_MAX);
        }
        unsigned seq = g->seq++;
        bool out = strcmp(e->direction, "in") != 0, in = strcmp(e->direction, "out") != 0;
        if (out && in) {
                char *copy = strdup(text);
                if (!copy) {
                        free(text);
                        return oom(g);
                }
                if (list_add(g, &ch->dir[DIR_FROM], e->priority, seq, copy) < 0) {
                        free(text);
                        return -1;
                }
                return list_add(g, &ch->dir[DIR_TO], e->priority, seq, text);
        }
        return list_add(g, &ch->dir[out ? DIR_FROM : DIR_TO], e->priority, seq, text);
}

/* One rule, once per combination of its variables' values. */
static int add_rule(Gen *g, GenChain *ch, const NWFilterEntry *e, const Env *env) {
        const char *vars[RULE_VARS_MAX];
        size_t n_vars = 0, counts[RULE_VARS_MAX], idx[RULE_VARS_MAX] = { 0 };
        int which[e->n_attrs + 1];
        for (size_t i = 0; i < e->n_attrs; i++) {
                which[i] = var_of(g, e->attrs[i].value, vars, &n_vars);
                if (which[i] < -1)
                        return -1;
        }
        for (size_t v = 0; v < n_vars; v++)
                if (!env_value(env, vars[v], 0, &counts[v]))
                        return vb_error_set(g->err, VB_ERR_INVALID_NWFILTER, VB_FROM_NWFILTER,
                                            "cannot instantiate filter due to unresolvable variables or "
                                            "unavailable list elements: %s", vars[v]);
        NWFilterParam attrs[e->n_attrs + 1];
        for (;;) {
                for (size_t i = 0; i < e->n_attrs; i++)
                        attrs[i] = (NWFilterParam) { e->attrs[i].name,
                                                     which[i] < 0 ? e->attrs[i].value
                                                                  : (char *) env_value(env, vars[which[i]],
                                                                                       idx[which[i]], NULL) };
                if (add_instance(g, ch, e, attrs) < 0)
                        return -1;
                size_t v = 0;
                while (v < n_vars && ++idx[v] == counts[v])
                        idx[v++] = 0;
                if (v == n_vars)
                        return 0;
        }
}

/* A filterref's scope: its own parameters, then the caller's that it does not set. */
static int env_child(Gen *g, const Env *parent, const NWFilterEntry *ref, Env *out) {
        out->n = 0;
        out->p = malloc((parent->n + ref->n_params + 1) * sizeof *out->p);
        if (!out->p)
                return oom(g);
        for (size_t i = 0; i < ref->n_params; i++)
                out->p[out->n++] = ref->params[i];
        for (size_t i = 0; i < parent->n; i++) {
                bool shadowed = false;
                for (size_t j = 0; j < ref->n_params && !shadowed; j++)
                        shadowed = strcmp(ref->params[j].name, parent->p[i].name) == 0;
                if (!shadowed)
                        out->p[out->n++] = parent->p[i];
        }
        return 0;
}

static int walk(Gen *g, const NWFilterDef *def, const Env *env, int depth) {
        if (depth > DEPTH_MAX)
                return vb_error_set(g->err, VB_ERR_OPERATION_FAILED, VB_FROM_NWFILTER, "filter would introduce a loop");
        GenChain *ch = chain_of(g, def);
        if (!ch)
                return oom(g);
        size_t chain_index = (size_t) (ch - g->chains);
        for (size_t i = 0; i < def->n_entries; i++) {
                const NWFilterEntry *e = &def->entries[i];
                if (!e->ref) {
                        if (add_rule(g, &g->chains[chain_index], e, env) < 0)
                                return -1;
                        continue;
                }
                const NWFilterDef *child = g->lookup(e->ref, g->userdata);
                if (!child)
                        return vb_error_set(g->err, VB_ERR_INTERNAL_ERROR, VB_FROM_NWFILTER,
                                            "referenced filter '%s' is missing", e->ref);
                Env ce;
                if (env_child(g, env, e, &ce) < 0)
                        return -1;
                int r = walk(g, child, &ce, depth + 1);
                free(ce.p);
                if (r < 0)
                        return -1;
        }
        return 0;
}

static int cmp_rule(const void *a, const void *b) {
        const GenRule *x = a, *y = b;
        if (x->priority != y->priority)
                return x->priority < y->priority ? -1 : 1;
        return x->seq < y->seq ? -1 : x->seq > y->seq;
}

/* What a chain's jump matches: its protocol, from the chain name's first part. */
static const char *chain_gate(const char *chain) {
        static const struct {
                const char *prefix, *gate;
        } gates[] = { { "mac", "" }, { "stp", "ether daddr 01:80:c2:00:00:00 " }, { "vlan", "ether type vlan " },
                      { "ipv4", "ether type ip " }, { "ipv6", "ether type ip6 " }, { "arp", "ether type arp " },
                      { "rarp", "ether type 0x8035 " } };
        for (size_t i = 0; i < sizeof gates / sizeof gates[0]; i++) {
                size_t l = strlen(gates[i].prefix);
                if (strncmp(chain, gates[i].prefix, l) == 0 && (chain[l] == '\0' || chain[l] == '-'))
                        return gates[i].gate;
        }
        return NULL;
}

static bool name_ok(const char *s, size_t max) {
        size_t n = strlen(s);
        if (n == 0 || n > max || !isalnum((unsigned char) s[0]))
                return false;
        for (size_t i = 0; i < n; i++)
                if (!isalnum((unsigned char) s[i]) && !strchr("_.-", s[i]))
                        return false;
        return true;
}

static void write_list(FILE *f, const GenList *l) {
        for (size_t i = 0; i < l->n; i++)
                fprintf(f, "\t\t%s\n", l->r[i].text);
}

/* The binding's chains: from-PORT and to-PORT, each with its sub-chains. */
static int write_binding(Gen *g, FILE *f, const char *port) {
        static const char *const dir_name[2] = { "from", "to" };
        for (int d = 0; d < 2; d++) {
                GenList root = { 0 };
                for (size_t i = 0; i < g->n_chains; i++) {
                        GenChain *ch = &g->chains[i];
                        if (strcmp(ch->name, "root") == 0) {
                                for (size_t j = 0; j < ch->dir[d].n; j++)
                                        if (list_add(g, &root, ch->dir[d].r[j].priority, ch->dir[d].r[j].seq,
                                                     strdup(ch->dir[d].r[j].text)) < 0 ||
                                            !root.r[root.n - 1].text)
                                                goto fail;
                                continue;
                        }
                        if (ch->dir[d].n == 0)
                                continue;
                        char *jump;
                        if (asprintf(&jump, "%sjump %s-%s-%s", chain_gate(ch->name), dir_name[d], port, ch->name) < 0)
                                jump = NULL;
                        if (!jump || list_add(g, &root, ch->priority, ch->seq, jump) < 0)
                                goto fail;
                }
                qsort(root.r, root.n, sizeof *root.r, cmp_rule);
                fprintf(f, "\tchain %s-%s {\n", dir_name[d], port);
                write_list(f, &root);
                fprintf(f, "\t}\n");
                for (size_t i = 0; i < root.n; i++)
                        free(root.r[i].text);
                free(root.r);
                for (size_t i = 0; i < g->n_chains; i++) {
                        GenChain *ch = &g->chains[i];
                        if (strcmp(ch->name, "root") == 0 || ch->dir[d].n == 0)
                                continue;
                        qsort(ch->dir[d].r, ch->dir[d].n, sizeof *ch->dir[d].r, cmp_rule);
                        fprintf(f, "\tchain %s-%s-%s {\n", dir_name[d], port, ch->name);
                        write_list(f, &ch->dir[d]);
                        fprintf(f, "\t}\n");
                }
                continue;
        fail:
                for (size_t i = 0; i < root.n; i++)
                        free(root.r[i].text);
                free(root.r);
                return oom(g);
        }
        return 0;
}

/* Walk one binding's tree into g (emptied first). */
static int gen_binding(Gen *g, const NWFilterBindingDef *b) {
        gen_free(g);
        const NWFilterDef *top = g->lookup(b->filter, g->userdata);
        if (!top)
                return vb_error_set(g->err, VB_ERR_INTERNAL_ERROR, VB_FROM_NWFILTER,
                                    "referenced filter '%s' is missing", b->filter);
        /* the binding's parameters, and MAC from its <mac> unless one is given */
        NWFilterParam mac = { "MAC", (char *) b->mac };
        NWFilterEntry ref = { .params = b->params, .n_params = b->n_params };
        Env base = { &mac, 1 }, env;
        if (env_child(g, &base, &ref, &env) < 0)
                return -1;
        int r = walk(g, top, &env, 0);
        free(env.p);
        for (size_t i = 0; r == 0 && i < g->n_chains; i++)
                if (strcmp(g->chains[i].name, "root") != 0 &&
                    (!chain_gate(g->chains[i].name) || !name_ok(g->chains[i].name, 64)))
                        r = vb_error_set(g->err, VB_ERR_INVALID_NWFILTER, VB_FROM_NWFILTER,
                                         "chain '%s' cannot be translated", g->chains[i].name);
        return r;
}

int nwfilter_nft_script(const NWFilterBindingDef *const *bindings, size_t n, NWFilterLookupFn lookup,
                        void *userdata, char **out, VbError *err) {
        char *buf = NULL;
        size_t len = 0;
        Gen g = { .lookup = lookup, .userdata = userdata, .err = err };
        *out = NULL;
        FILE *f = open_memstream(&buf, &len);
        if (!f)
                return vb_error_errno(err, -ENOMEM, "network filter rules");
        fprintf(f, "table bridge %s {}\ndelete table bridge %s\n", NWFILTER_NFT_TABLE, NWFILTER_NFT_TABLE);
        int r = 0;
        for (size_t i = 0; i < n && r == 0; i++)
                if (!name_ok(bindings[i]->portdev, 15))
                        r = vb_error_set(err, VB_ERR_INVALID_ARG, VB_FROM_NWFILTER,
                                         "port device '%s' cannot name a firewall chain", bindings[i]->portdev);
        if (n > 0 && r == 0) {
                fprintf(f, "table bridge %s {\n", NWFILTER_NFT_TABLE);
                fprintf(f, "\tchain prerouting {\n\t\ttype filter hook prerouting priority filter; policy accept;\n");
                for (size_t i = 0; i < n; i++)
                        fprintf(f, "\t\tiifname \"%s\" jump from-%s\n", bindings[i]->portdev, bindings[i]->portdev);
                fprintf(f, "\t}\n");
                fprintf(f, "\tchain postrouting {\n\t\ttype filter hook postrouting priority filter; policy accept;\n");
                for (size_t i = 0; i < n; i++)
                        fprintf(f, "\t\toifname \"%s\" jump to-%s\n", bindings[i]->portdev, bindings[i]->portdev);
                fprintf(f, "\t}\n");
                for (size_t i = 0; i < n && r == 0; i++)
                        if ((r = gen_binding(&g, bindings[i])) == 0)
                                r = write_binding(&g, f, bindings[i]->portdev);
                fprintf(f, "}\n");
        }
        gen_free(&g);
        if (fclose(f) != 0 && r == 0)
                r = vb_error_errno(err, -ENOMEM, "network filter rules");
        if (r < 0) {
                free(buf);
                return -1;
        }
        *out = buf;
        return 0;
}
