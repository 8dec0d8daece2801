/* Build-time tool: converts one YAML document (docs/openapi.yaml) to compact JSON on
 * stdout, typing plain scalars by the YAML 1.2 core schema as the npm `yaml` package does.
 *
 * Quoted and block scalars are strings; plain ones are null (null, Null, NULL, ~, empty),
 * booleans (true/True/TRUE, false/...), integers (decimal, 0o octal, 0x hex), floats
 * (decimal, exponent, .inf, .nan; the last two become JSON null like JSON.stringify) or
 * else strings. The tags !!str !!null !!bool !!int !!float !!seq !!map and ! are
 * honoured; another tag, or a scalar that does not match its tag, is warned about and
 * ignored (the scalar is a string), as the npm package does. Anchors and aliases are
 * resolved (an alias to a node that contains it is an error); mapping keys keep their
 * order and become strings as JavaScript's String() makes them (null as ""). A key
 * repeated with the same type is an error; one that only its type told apart (1 and
 * "1") replaces the earlier value. A collection as a key, or a second document, is an
 * error. Usage: openapi-json FILE.yaml > FILE.json */
#include <errno.h>
#include <jansson.h>
#include <math.h>
#include <regex.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <yaml.h>

#define TAG_PREFIX "tag:yaml.org,2002:"

/* An open sequence or mapping; `key` is the mapping's key waiting for its value. */
struct frame {
    json_t *node;
    char *key;
    json_t *key_types; /* for a mapping: key -> the JSON type of the scalar it came from */
    int key_type;      /* that type for `key` */
    size_t anchor;     /* index + 1 in conv.anchors, 0 when the node has no anchor */
};

struct anchor {
    char *name;
    json_t *node; /* a reference of our own */
    int done;     /* 0 while the collection it names is still open */
};

struct conv {
    const char *path;
    json_t *root;
    int docs;
    struct frame *stack;
    size_t depth, stack_cap;
    struct anchor *anchors;
    size_t n_anchors, anchors_cap;
};

/* The core schema's patterns for plain scalars, as in the npm package's schema/core. */
enum kind {
    K_NULL,
    K_BOOL,
    K_INT_OCT,
    K_INT,
    K_INT_HEX,
    K_FLOAT_NAN,
    K_FLOAT_EXP,
    K_FLOAT,
    K_COUNT
};
static const char *const patterns[K_COUNT] = {
    [K_NULL] = "^(~|[Nn]ull|NULL)?$",
    [K_BOOL] = "^([Tt]rue|TRUE|[Ff]alse|FALSE)$",
    [K_INT_OCT] = "^0o[0-7]+$",
    [K_INT] = "^[-+]?[0-9]+$",
    [K_INT_HEX] = "^0x[0-9a-fA-F]+$",
    [K_FLOAT_NAN] = "^([-+]?\\.(inf|Inf|INF)|\\.nan|\\.NaN|\\.NAN)$",
    [K_FLOAT_EXP] = "^[-+]?(\\.[0-9]+|[0-9]+(\\.[0-9]*)?)[eE][-+]?[0-9]+$",
    [K_FLOAT] = "^[-+]?(\\.[0-9]+|[0-9]+\\.[0-9]*)$",
};
static regex_t re[K_COUNT];

static void die_at(const struct conv *cv, yaml_mark_t m, const char *what)
{
    fprintf(stderr, "%s:%zu:%zu: %s\n", cv->path, m.line + 1, m.column + 1, what);
    exit(1);
}

static void warn_tag(const struct conv *cv, yaml_mark_t m, const char *tag)
{
    fprintf(stderr, "%s:%zu:%zu: warning: unresolved tag %s (ignored)\n", cv->path, m.line + 1,
            m.column + 1, tag);
}

static void *xrealloc(void *p, size_t n)
{
    p = realloc(p, n);
    if (!p) {
        fputs("openapi-json: out of memory\n", stderr);
        exit(1);
    }
    return p;
}

/* An integer in `base` from s (digits only, an optional sign for base 10); one that
 * does not fit in json_int_t becomes a real, the nearest double, as JavaScript has it. */
static json_t *make_int(const char *s, int base)
{
    errno = 0;
    char *end;
    long long v = strtoll(s, &end, base);
    if (errno == ERANGE) {
        if (base == 10)
            return json_real(strtod(s, NULL));
        double d = 0;
        for (const char *p = s; *p; p++) {
            int digit = *p <= '9' ? *p - '0' : (*p | 0x20) - 'a' + 10;
            d = d * base + digit;
        }
        return json_real(d);
    }
    return json_integer((json_int_t)v);
}

/* A float; infinities and NaN have no JSON form and become null (as JSON.stringify). */
static json_t *make_float(const char *s)
{
    double d = strtod(s, NULL);
    if (!isfinite(d))
        return json_null();
    return json_real(d);
}

static json_t *make_kind(enum kind k, const char *s)
{
    switch (k) {
    case K_NULL:
        return json_null();
    case K_BOOL:
        return json_boolean(s[0] == 't' || s[0] == 'T');
    case K_INT_OCT:
        return make_int(s + 2, 8);
    case K_INT:
        return make_int(s, 10);
    case K_INT_HEX:
        return make_int(s + 2, 16);
    case K_FLOAT_NAN:
        return json_null();
    case K_FLOAT_EXP:
    case K_FLOAT:
        return make_float(s);
    case K_COUNT:
        break;
    }
    return NULL;
}

/* The first kind in [from, to) whose pattern matches s, or K_COUNT. */
static enum kind match_kind(const char *s, enum kind from, enum kind to)
{
    for (int k = from; k < (int)to; k++)
        if (regexec(&re[k], s, 0, NULL, 0) == 0)
            return (enum kind)k;
    return K_COUNT;
}

static json_t *scalar_value(const struct conv *cv, const yaml_event_t *ev)
{
    const char *s = (const char *)ev->data.scalar.value;
    size_t len = ev->data.scalar.length;
    const char *tag = (const char *)ev->data.scalar.tag;
    int plain = ev->data.scalar.style == YAML_PLAIN_SCALAR_STYLE;

    if (tag && strcmp(tag, "!") == 0)
        return json_stringn(s, len);
    if (!tag)
        tag = plain ? "" : TAG_PREFIX "str";
    if (strcmp(tag, TAG_PREFIX "str") == 0)
        return json_stringn(s, len);
    /* the kinds a tag allows: all for none, none for an unknown one */
    static const struct {
        const char *tag;
        enum kind from, to;
    } tags[] = {
        {"", K_NULL, K_COUNT},
        {TAG_PREFIX "null", K_NULL, K_BOOL},
        {TAG_PREFIX "bool", K_BOOL, K_INT_OCT},
        {TAG_PREFIX "int", K_INT_OCT, K_FLOAT_NAN},
        {TAG_PREFIX "float", K_FLOAT_NAN, K_COUNT},
    };
    enum kind from = K_COUNT, to = K_COUNT;
    for (size_t i = 0; i < sizeof tags / sizeof tags[0]; i++)
        if (strcmp(tag, tags[i].tag) == 0) {
            from = tags[i].from;
            to = tags[i].to;
        }
    if (strlen(s) != len) /* a NUL inside (an escape in a tagged quoted scalar) */
        from = to = K_COUNT;

    enum kind k = match_kind(s, from, to);
    if (k == K_COUNT) {
        if (tag[0])
            warn_tag(cv, ev->start_mark, tag);
        return json_stringn(s, len);
    }
    return make_kind(k, s);
}

/* Shortest digits that read back as d, laid out as ECMAScript's Number::toString. */
static void js_number(double d, char *out, size_t size)
{
    if (isnan(d) || isinf(d) || d == 0) {
        snprintf(out, size, "%s",
                 isnan(d) ? "NaN"
                 : d > 0  ? "Infinity"
                 : d < 0  ? "-Infinity"
                          : "0");
        return;
    }
    char e[40];
    for (int prec = 0; prec <= 16; prec++) {
        snprintf(e, sizeof e, "%.*e", prec, d);
        if (strtod(e, NULL) == d)
            break;
    }
    /* e is "[-]D[.DDD]e[+-]X": its digits and n such that |d| = 0.DIGITS x 10^n */
    const char *p = e + (e[0] == '-');
    char digits[24];
    int k = 0;
    for (; *p != 'e'; p++)
        if (*p != '.')
            digits[k++] = *p;
    int n = atoi(p + 1) + 1;

    char b[64];
    int i = 0;
    if (d < 0)
        b[i++] = '-';
    if (k <= n && n <= 21) {
        for (int j = 0; j < n; j++)
            b[i++] = j < k ? digits[j] : '0';
    } else if (0 < n && n <= 21) {
        for (int j = 0; j < k; j++) {
            if (j == n)
                b[i++] = '.';
            b[i++] = digits[j];
        }
    } else if (-6 < n && n <= 0) {
        b[i++] = '0';
        b[i++] = '.';
        for (int j = 0; j < -n; j++)
            b[i++] = '0';
        for (int j = 0; j < k; j++)
            b[i++] = digits[j];
    } else {
        b[i++] = digits[0];
        if (k > 1)
            b[i++] = '.';
        for (int j = 1; j < k; j++)
            b[i++] = digits[j];
        i += snprintf(b + i, sizeof b - (size_t)i, "e%c%d", n - 1 < 0 ? '-' : '+', abs(n - 1));
    }
    b[i] = 0;
    snprintf(out, size, "%s", b);
}

/* The object key JavaScript would make of a scalar value (String(v), null as ""). */
static char *key_string(const struct conv *cv, json_t *v, yaml_mark_t m)
{
    char num[64];
    switch (json_typeof(v)) {
    case JSON_STRING:
        if (strlen(json_string_value(v)) != json_string_length(v))
            die_at(cv, m, "NUL in a mapping key");
        return strdup(json_string_value(v));
    case JSON_NULL:
        return strdup("");
    case JSON_TRUE:
        return strdup("true");
    case JSON_FALSE:
        return strdup("false");
    case JSON_INTEGER:
        snprintf(num, sizeof num, "%" JSON_INTEGER_FORMAT, json_integer_value(v));
        return strdup(num);
    case JSON_REAL:
        js_number(json_real_value(v), num, sizeof num);
        return strdup(num);
    case JSON_OBJECT:
    case JSON_ARRAY:
        break;
    }
    die_at(cv, m, "a collection as a mapping key is not supported");
    return NULL;
}

/* Puts a finished value (a reference we own) where it belongs. */
static void add_value(struct conv *cv, json_t *v, yaml_mark_t m)
{
    if (!v)
        die_at(cv, m, "could not make a JSON value");
    if (cv->depth == 0) {
        cv->root = v;
        return;
    }
    struct frame *top = &cv->stack[cv->depth - 1];
    if (json_is_array(top->node)) {
        json_array_append_new(top->node, v);
    } else if (!top->key) {
        top->key = key_string(cv, v, m);
        if (!top->key)
            die_at(cv, m, "out of memory");
        /* yaml compares keys by value: 1 and 1.0 are the same key, 1 and "1" are not */
        top->key_type = json_is_number(v) ? JSON_REAL : (int)json_typeof(v);
        json_t *seen = json_object_get(top->key_types, top->key);
        if (seen && json_integer_value(seen) == top->key_type)
            die_at(cv, m, "map keys must be unique");
        json_decref(v);
    } else {
        if (json_object_set_new(top->node, top->key, v) != 0 ||
            json_object_set_new(top->key_types, top->key, json_integer(top->key_type)) != 0)
            die_at(cv, m, "could not set a mapping value (bad UTF-8 in its key?)");
        free(top->key);
        top->key = NULL;
    }
}

/* Records an anchor for node; returns its index + 1 (0 for no anchor). */
static size_t add_anchor(struct conv *cv, const yaml_char_t *name, json_t *node, int done)
{
    if (!name)
        return 0;
    if (cv->n_anchors == cv->anchors_cap) {
        cv->anchors_cap = cv->anchors_cap ? 2 * cv->anchors_cap : 16;
        cv->anchors = xrealloc(cv->anchors, cv->anchors_cap * sizeof *cv->anchors);
    }
    struct anchor *a = &cv->anchors[cv->n_anchors++];
    a->name = strdup((const char *)name);
    a->node = json_incref(node);
    a->done = done;
    return cv->n_anchors;
}

static void alias(struct conv *cv, const yaml_event_t *ev)
{
    const char *name = (const char *)ev->data.alias.anchor;
    for (size_t i = cv->n_anchors; i-- > 0;) { /* the latest definition wins */
        if (strcmp(cv->anchors[i].name, name) != 0)
            continue;
        if (!cv->anchors[i].done)
            die_at(cv, ev->start_mark, "an alias to a node that contains it");
        add_value(cv, json_incref(cv->anchors[i].node), ev->start_mark);
        return;
    }
    die_at(cv, ev->start_mark, "an alias to an unknown anchor");
}

static void open_collection(struct conv *cv, json_t *node, const yaml_char_t *tag, const char *want,
                            const yaml_char_t *anchor, yaml_mark_t m)
{
    if (tag && strcmp((const char *)tag, "!") != 0 && strcmp((const char *)tag, want) != 0)
        warn_tag(cv, m, (const char *)tag);
    if (cv->depth > 0 && json_is_object(cv->stack[cv->depth - 1].node) &&
        !cv->stack[cv->depth - 1].key)
        die_at(cv, m, "a collection as a mapping key is not supported");
    if (cv->depth == cv->stack_cap) {
        cv->stack_cap = cv->stack_cap ? 2 * cv->stack_cap : 32;
        cv->stack = xrealloc(cv->stack, cv->stack_cap * sizeof *cv->stack);
    }
    cv->stack[cv->depth++] = (struct frame){
        .node = node,
        .key_types = json_is_object(node) ? json_object() : NULL,
        .anchor = add_anchor(cv, anchor, node, 0),
    };
}

static void close_collection(struct conv *cv, yaml_mark_t m)
{
    struct frame f = cv->stack[--cv->depth];
    json_decref(f.key_types);
    if (f.anchor)
        cv->anchors[f.anchor - 1].done = 1;
    add_value(cv, f.node, m);
}

static void on_event(struct conv *cv, const yaml_event_t *ev)
{
    switch (ev->type) {
    case YAML_DOCUMENT_START_EVENT:
        if (++cv->docs > 1)
            die_at(cv, ev->start_mark, "more than one YAML document");
        break;
    case YAML_SCALAR_EVENT: {
        json_t *v = scalar_value(cv, ev);
        add_anchor(cv, ev->data.scalar.anchor, v, 1);
        add_value(cv, v, ev->start_mark);
        break;
    }
    case YAML_ALIAS_EVENT:
        alias(cv, ev);
        break;
    case YAML_SEQUENCE_START_EVENT:
        open_collection(cv, json_array(), ev->data.sequence_start.tag, TAG_PREFIX "seq",
                        ev->data.sequence_start.anchor, ev->start_mark);
        break;
    case YAML_MAPPING_START_EVENT:
        open_collection(cv, json_object(), ev->data.mapping_start.tag, TAG_PREFIX "map",
                        ev->data.mapping_start.anchor, ev->start_mark);
        break;
    case YAML_SEQUENCE_END_EVENT:
    case YAML_MAPPING_END_EVENT:
        close_collection(cv, ev->start_mark);
        break;
    default:
        break;
    }
}

int main(int argc, char **argv)
{
    if (argc != 2) {
        fputs("usage: openapi-json FILE.yaml > FILE.json\n", stderr);
        return 2;
    }
    for (int k = 0; k < K_COUNT; k++)
        if (regcomp(&re[k], patterns[k], REG_EXTENDED | REG_NOSUB) != 0) {
            fprintf(stderr, "openapi-json: bad pattern %s\n", patterns[k]);
            return 1;
        }
    FILE *in = fopen(argv[1], "rb");
    if (!in) {
        perror(argv[1]);
        return 1;
    }
    struct conv cv = {.path = argv[1]};
    yaml_parser_t parser;
    if (!yaml_parser_initialize(&parser)) {
        fputs("openapi-json: cannot start libyaml\n", stderr);
        return 1;
    }
    yaml_parser_set_input_file(&parser, in);
    for (int end = 0; !end;) {
        yaml_event_t ev;
        if (!yaml_parser_parse(&parser, &ev)) {
            fprintf(stderr, "%s:%zu:%zu: %s%s%s\n", argv[1], parser.problem_mark.line + 1,
                    parser.problem_mark.column + 1, parser.context ? parser.context : "",
                    parser.context ? ": " : "", parser.problem ? parser.problem : "bad YAML");
            return 1;
        }
        on_event(&cv, &ev);
        end = ev.type == YAML_STREAM_END_EVENT;
        yaml_event_delete(&ev);
    }
    yaml_parser_delete(&parser);
    fclose(in);

    json_t *root = cv.root ? cv.root : json_null();
    char *text = json_dumps(root, JSON_COMPACT | JSON_ENCODE_ANY | JSON_REAL_PRECISION(17));
    if (!text) {
        fputs("openapi-json: could not write JSON\n", stderr);
        return 1;
    }
    fputs(text, stdout);
    free(text);
    json_decref(root);
    for (size_t i = 0; i < cv.n_anchors; i++) {
        free(cv.anchors[i].name);
        json_decref(cv.anchors[i].node);
    }
    free(cv.anchors);
    free(cv.stack);
    return fflush(stdout) == 0 ? 0 : 1;
}
