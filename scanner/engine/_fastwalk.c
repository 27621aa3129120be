/* The engine's walks over parsed documents, in C: the same functions as the Python ones
 * they stand in for, value for value and in the same order.
 *
 * Why: rules look at a resource through a handful of small loops over dicts and lists:
 * following a path of keys (conditions.py ``follow``), selecting a path with wildcards
 * (paths.py ``select`` and ``select_raw``), listing every string for the detectors
 * (detect_checks.py ``strings``) and finding a finding's logical path for its fingerprint
 * (findings.py ``_Walk``). They run tens of thousands of times per thousand files, and in
 * Python most of their time is the interpreter's, not the work's: a fifth of a scan.
 *
 * The Python versions stay the reference; the module is optional (a build without a C
 * compiler, or ``WARDSCAN_COMPILE=0``, uses them), and tests/fastwalk_check.py runs both on
 * every file of the corpus and on edge cases and compares what they return.
 *
 * Containers are read through the dict and list C API only when their class does not
 * redefine how they are read (the parser's and the adapters' subclasses do not); any other
 * container goes through the generic protocols (``in``, ``[]``, ``items()``, iteration), as
 * the Python code would.
 */
#define PY_SSIZE_T_CLEAN
#include <Python.h>

static PyObject *RefType;     /* scanner.engine.paths.Ref */
static PyObject *Wild;        /* scanner.engine.paths.WILD */
static PyObject *PlainTypes;  /* dict: container class -> True when read as its base */
static PyObject *S_value, *S_name, *S_items, *S_get, *S_empty, *MinusOne;

static const char *const DICT_NAMES[] = {"__getitem__", "__contains__", "get", "items",
                                         "__iter__", "__len__", NULL};
static const char *const LIST_NAMES[] = {"__getitem__", "__iter__", "__len__", NULL};

/* 1 when ``obj`` (a dict or list instance) can be read with PyDict_ or PyList_ calls: its
 * class is dict or list, or a subclass that redefines none of the ways it is read. */
static int plain(PyObject *obj)
{
    PyTypeObject *tp = Py_TYPE(obj);
    if (tp == &PyDict_Type || tp == &PyList_Type)
        return 1;
    PyObject *known = PyDict_GetItemWithError(PlainTypes, (PyObject *)tp);
    if (known != NULL)
        return known == Py_True;
    if (PyErr_Occurred())
        return -1;
    PyObject *base = PyDict_Check(obj) ? (PyObject *)&PyDict_Type : (PyObject *)&PyList_Type;
    const char *const *names = PyDict_Check(obj) ? DICT_NAMES : LIST_NAMES;
    int same = 1;
    for (; *names != NULL && same; names++) {
        PyObject *a = PyObject_GetAttrString((PyObject *)tp, *names);
        PyObject *b = a ? PyObject_GetAttrString(base, *names) : NULL;
        if (b == NULL) {
            Py_XDECREF(a);
            return -1;
        }
        same = a == b;
        Py_DECREF(a);
        Py_DECREF(b);
    }
    if (PyDict_SetItem(PlainTypes, (PyObject *)tp, same ? Py_True : Py_False) < 0)
        return -1;
    return same;
}

/* ``key in mapping`` and ``mapping[key]``: 1 with a new reference in *out, 0 when absent,
 * -1 on error. */
static int map_get(PyObject *mapping, PyObject *key, PyObject **out)
{
    int p = plain(mapping);
    if (p < 0)
        return -1;
    if (p) {
        PyObject *v = PyDict_GetItemWithError(mapping, key);
        if (v == NULL)
            return PyErr_Occurred() ? -1 : 0;
        Py_INCREF(v);
        *out = v;
        return 1;
    }
    int has = PySequence_Contains(mapping, key);
    if (has <= 0)
        return has;
    *out = PyObject_GetItem(mapping, key);
    return *out == NULL ? -1 : 1;
}

/* ``mapping.items()`` as a list of (key, value) pairs (new reference). */
static PyObject *map_items(PyObject *mapping)
{
    int p = plain(mapping);
    if (p < 0)
        return NULL;
    if (p)
        return PyDict_Items(mapping);
    PyObject *items = PyObject_CallMethodNoArgs(mapping, S_items);
    if (items == NULL)
        return NULL;
    PyObject *list = PySequence_List(items);
    Py_DECREF(items);
    return list;
}

/* ``list(sequence)`` (new reference): the items as ``enumerate`` would give them. */
static PyObject *seq_items(PyObject *seq)
{
    int p = plain(seq);
    if (p < 0)
        return NULL;
    if (p) {
        Py_INCREF(seq);
        return seq;
    }
    return PySequence_List(seq);
}

/* ``stack.pop()`` of a non-empty list: the last item, as a new reference (NULL on error). */
static PyObject *pop_last(PyObject *stack)
{
    Py_ssize_t top = PyList_GET_SIZE(stack) - 1;
    PyObject *item = Py_NewRef(PyList_GET_ITEM(stack, top));
    if (PyList_SetSlice(stack, top, top + 1, NULL) < 0)
        Py_CLEAR(item);
    return item;
}

static int configured(void)
{
    if (RefType == NULL || Wild == NULL) {
        PyErr_SetString(PyExc_RuntimeError, "_fastwalk.configure(Ref, WILD) was not called");
        return 0;
    }
    return 1;
}

static int is_container(PyObject *v)
{
    return PyDict_Check(v) || PyList_Check(v);
}

/* paths.ref_of: the base ref when there is no container, else Ref(container, key). */
static PyObject *ref_of(PyObject *base, PyObject *container, PyObject *key)
{
    if (container == NULL) {
        Py_INCREF(base);
        return base;
    }
    return PyObject_CallFunctionObjArgs(RefType, container, key, NULL);
}

static PyObject *configure(PyObject *self, PyObject *args)
{
    PyObject *ref_type, *wild;
    if (!PyArg_ParseTuple(args, "OO", &ref_type, &wild))
        return NULL;
    Py_XSETREF(RefType, Py_NewRef(ref_type));
    Py_XSETREF(Wild, Py_NewRef(wild));
    Py_RETURN_NONE;
}

/* Follow ``segments`` (keys) from ``value``: 1 (found) or 0, with the value found (new
 * reference, None when not found) and its ref, or the nearest parent's; -1 on error. */
static int follow_impl(PyObject *value, PyObject *ref, PyObject *segments, PyObject **found_value,
                       PyObject **at)
{
    PyObject *container = NULL, *key = NULL;
    Py_INCREF(value);
    Py_ssize_t n = PyTuple_GET_SIZE(segments);
    for (Py_ssize_t i = 0; i < n; i++) {
        PyObject *seg = PyTuple_GET_ITEM(segments, i), *next = NULL;
        int found = PyDict_Check(value) ? map_get(value, seg, &next) : 0;
        if (found < 0) {
            Py_XDECREF(container);
            Py_DECREF(value);
            return -1;
        }
        if (!found) {
            *at = ref_of(ref, container, key);
            Py_XDECREF(container);
            Py_DECREF(value);
            if (*at == NULL)
                return -1;
            *found_value = Py_NewRef(Py_None);
            return 0;
        }
        Py_XSETREF(container, value);  /* the value becomes the container (its reference) */
        key = seg;
        value = next;
    }
    *at = ref_of(ref, container, key);
    Py_XDECREF(container);
    if (*at == NULL) {
        Py_DECREF(value);
        return -1;
    }
    *found_value = value;
    return 1;
}

/* conditions.follow(value, ref, segments) -> (found, value, ref) */
static PyObject *follow(PyObject *self, PyObject *const *args, Py_ssize_t nargs)
{
    if (nargs != 3 || !PyTuple_Check(args[2])) {
        PyErr_SetString(PyExc_TypeError, "follow(value, ref, segments: tuple)");
        return NULL;
    }
    if (!configured())
        return NULL;
    PyObject *value, *at;
    int found = follow_impl(args[0], args[1], args[2], &value, &at);
    if (found < 0)
        return NULL;
    return Py_BuildValue("(ONN)", found ? Py_True : Py_False, value, at);
}

static int add3(PyObject *list, PyObject *a, PyObject *b, PyObject *c)
{
    PyObject *t = PyTuple_Pack(3, a, b, c);
    if (t == NULL)
        return -1;
    int rc = PyList_Append(list, t);
    Py_DECREF(t);
    return rc;
}

static int add2(PyObject *list, PyObject *a, PyObject *b)
{
    PyObject *t = PyTuple_Pack(2, a, b);
    if (t == NULL)
        return -1;
    int rc = PyList_Append(list, t);
    Py_DECREF(t);
    return rc;
}

/* One step of select_raw from (value, container, key) by ``seg``, onto nxt or missed. */
static int select_step(PyObject *seg, PyObject *value, PyObject *container, PyObject *key,
                       PyObject *nxt, PyObject *missed)
{
    if (seg == Wild) {
        if (PyDict_Check(value)) {
            PyObject *items = map_items(value);
            if (items == NULL)
                return -1;
            for (Py_ssize_t i = 0; i < PyList_GET_SIZE(items); i++) {
                PyObject *pair = PyList_GET_ITEM(items, i);
                if (!PyTuple_Check(pair) || PyTuple_GET_SIZE(pair) != 2) {
                    PyErr_SetString(PyExc_ValueError, "items() gave a non-pair");
                    Py_DECREF(items);
                    return -1;
                }
                if (add3(nxt, PyTuple_GET_ITEM(pair, 1), value, PyTuple_GET_ITEM(pair, 0)) < 0) {
                    Py_DECREF(items);
                    return -1;
                }
            }
            Py_DECREF(items);
            return 0;
        }
        if (PyList_Check(value)) {
            PyObject *items = seq_items(value);
            if (items == NULL)
                return -1;
            for (Py_ssize_t i = 0; i < PyList_GET_SIZE(items); i++) {
                PyObject *index = PyLong_FromSsize_t(i);
                int rc = index == NULL ? -1 : add3(nxt, PyList_GET_ITEM(items, i), value, index);
                Py_XDECREF(index);
                if (rc < 0) {
                    Py_DECREF(items);
                    return -1;
                }
            }
            Py_DECREF(items);
            return 0;
        }
        return add2(missed, container, key);
    }
    if (PyLong_Check(seg) && PyList_Check(value)) {
        Py_ssize_t len = PyObject_Length(value);
        if (len < 0)
            return -1;
        int overflow = 0;
        long long at = PyLong_AsLongLongAndOverflow(seg, &overflow);
        if (at == -1 && PyErr_Occurred())
            return -1;
        if (overflow || at < -(long long)len || at >= (long long)len)
            return add2(missed, container, key);
        PyObject *item;
        int p = plain(value);
        if (p < 0)
            return -1;
        if (p) {
            item = PyList_GET_ITEM(value, at < 0 ? at + len : at);
            Py_INCREF(item);
        } else if ((item = PyObject_GetItem(value, seg)) == NULL) {
            return -1;
        }
        int rc = add3(nxt, item, value, seg);
        Py_DECREF(item);
        return rc;
    }
    if (PyDict_Check(value)) {
        PyObject *item = NULL;
        int found = map_get(value, seg, &item);
        if (found < 0)
            return -1;
        if (found) {
            int rc = add3(nxt, item, value, seg);
            Py_DECREF(item);
            return rc;
        }
    }
    return add2(missed, container, key);
}

/* paths.select_raw's work: the hits [(value, container, key)] and misses
 * [(container, key)] of ``segments`` from ``root``, as new references; -1 on error. */
static int select_raw_impl(PyObject *root, PyObject *segments, PyObject **hits,
                           PyObject **misses)
{
    PyObject *frontier = PyList_New(1), *missed = PyList_New(0), *start;
    if (frontier == NULL || missed == NULL)
        goto fail;
    start = PyTuple_Pack(3, root, Py_None, Py_None);
    if (start == NULL)
        goto fail;
    PyList_SET_ITEM(frontier, 0, start);
    for (Py_ssize_t s = 0; s < PyTuple_GET_SIZE(segments); s++) {
        PyObject *seg = PyTuple_GET_ITEM(segments, s), *nxt = PyList_New(0);
        if (nxt == NULL)
            goto fail;
        for (Py_ssize_t i = 0; i < PyList_GET_SIZE(frontier); i++) {
            PyObject *t = PyList_GET_ITEM(frontier, i);
            if (select_step(seg, PyTuple_GET_ITEM(t, 0), PyTuple_GET_ITEM(t, 1),
                            PyTuple_GET_ITEM(t, 2), nxt, missed) < 0) {
                Py_DECREF(nxt);
                goto fail;
            }
        }
        Py_SETREF(frontier, nxt);
    }
    *hits = frontier;
    *misses = missed;
    return 0;
fail:
    Py_XDECREF(frontier);
    Py_XDECREF(missed);
    return -1;
}

/* paths.select_raw(root, segments) -> (hits [(value, container, key)],
 *                                     missed [(container, key)]) */
static PyObject *select_raw(PyObject *self, PyObject *const *args, Py_ssize_t nargs)
{
    if (nargs != 2 || !PyTuple_Check(args[1])) {
        PyErr_SetString(PyExc_TypeError, "select_raw(root, segments: tuple)");
        return NULL;
    }
    if (!configured())
        return NULL;
    PyObject *hits, *missed;
    if (select_raw_impl(args[0], args[1], &hits, &missed) < 0)
        return NULL;
    return Py_BuildValue("(NN)", hits, missed);
}

/* paths.select(root, root_ref, segments) -> (hits [(value, ref)], misses [ref]) */
static PyObject *select_(PyObject *self, PyObject *const *args, Py_ssize_t nargs)
{
    if (nargs != 3 || !PyTuple_Check(args[2])) {
        PyErr_SetString(PyExc_TypeError, "select(root, root_ref, segments: tuple)");
        return NULL;
    }
    if (!configured())
        return NULL;
    PyObject *root = args[0], *root_ref = args[1], *segments = args[2];
    Py_ssize_t n = PyTuple_GET_SIZE(segments);
    int simple = n > 0;
    for (Py_ssize_t i = 0; i < n && simple; i++)
        simple = PyUnicode_CheckExact(PyTuple_GET_ITEM(segments, i));
    if (simple) {  /* a.b.c: one value or one miss */
        PyObject *value, *at;
        int found = follow_impl(root, root_ref, segments, &value, &at);
        if (found < 0)
            return NULL;
        if (found) {
            PyObject *hits = Py_BuildValue("[(NN)]", value, at);
            return hits == NULL ? NULL : Py_BuildValue("(N[])", hits);
        }
        Py_DECREF(value);
        return Py_BuildValue("([][N])", at);
    }
    PyObject *raw, *missed, *hits = NULL, *misses = NULL;
    if (select_raw_impl(root, segments, &raw, &missed) < 0)
        return NULL;
    hits = PyList_New(PyList_GET_SIZE(raw));
    misses = PyList_New(PyList_GET_SIZE(missed));
    if (hits == NULL || misses == NULL)
        goto fail;
    for (Py_ssize_t i = 0; i < PyList_GET_SIZE(raw); i++) {
        PyObject *t = PyList_GET_ITEM(raw, i);
        PyObject *c = PyTuple_GET_ITEM(t, 1);
        PyObject *at = ref_of(root_ref, c == Py_None ? NULL : c, PyTuple_GET_ITEM(t, 2));
        PyObject *pair = at ? PyTuple_Pack(2, PyTuple_GET_ITEM(t, 0), at) : NULL;
        Py_XDECREF(at);
        if (pair == NULL)
            goto fail;
        PyList_SET_ITEM(hits, i, pair);
    }
    for (Py_ssize_t i = 0; i < PyList_GET_SIZE(missed); i++) {
        PyObject *t = PyList_GET_ITEM(missed, i);
        PyObject *c = PyTuple_GET_ITEM(t, 0);
        PyObject *at = ref_of(root_ref, c == Py_None ? NULL : c, PyTuple_GET_ITEM(t, 1));
        if (at == NULL)
            goto fail;
        PyList_SET_ITEM(misses, i, at);
    }
    Py_DECREF(raw);
    Py_DECREF(missed);
    return Py_BuildValue("(NN)", hits, misses);
fail:
    Py_DECREF(raw);
    Py_DECREF(missed);
    Py_XDECREF(hits);
    Py_XDECREF(misses);
    return NULL;
}

/* detect_checks.strings(body, limit): (container, key, text, variable name) for every
 * string, each container once; see the Python version for the variable name. */
static PyObject *strings(PyObject *self, PyObject *const *args, Py_ssize_t nargs)
{
    Py_ssize_t limit;
    if (nargs != 2 || (limit = PyLong_AsSsize_t(args[1])) == -1) {
        if (!PyErr_Occurred())
            PyErr_SetString(PyExc_TypeError, "strings(body, limit: int)");
        return NULL;
    }
    PyObject *out = PyList_New(0), *stack = PyList_New(1), *seen = PySet_New(NULL);
    PyObject *node = NULL, *items = NULL;
    if (out == NULL || stack == NULL || seen == NULL)
        goto fail;
    Py_INCREF(args[0]);
    PyList_SET_ITEM(stack, 0, args[0]);
    while (PyList_GET_SIZE(stack) > 0 && PyList_GET_SIZE(out) < limit) {
        if ((node = pop_last(stack)) == NULL)
            goto fail;
        PyObject *nid = PyLong_FromVoidPtr(node);
        if (nid == NULL)
            goto fail;
        int was = PySet_Contains(seen, nid);
        int rc = was != 0 ? was : PySet_Add(seen, nid);
        Py_DECREF(nid);
        if (rc < 0)
            goto fail;
        if (was) {
            Py_CLEAR(node);
            continue;
        }
        if (PyDict_Check(node)) {
            PyObject *env_name = NULL;  /* node.get("name") when "value" in node */
            PyObject *has_value = NULL;
            int has = map_get(node, S_value, &has_value);
            if (has < 0)
                goto fail;
            Py_XDECREF(has_value);
            if (has) {
                int p = plain(node);
                if (p < 0)
                    goto fail;
                if (p) {
                    env_name = PyDict_GetItemWithError(node, S_name);
                    if (env_name == NULL && PyErr_Occurred())
                        goto fail;
                    env_name = Py_NewRef(env_name ? env_name : Py_None);
                } else if ((env_name = PyObject_CallMethodOneArg(node, S_get, S_name)) == NULL) {
                    goto fail;
                }
            }
            items = map_items(node);
            if (items == NULL) {
                Py_XDECREF(env_name);
                goto fail;
            }
            for (Py_ssize_t i = 0; i < PyList_GET_SIZE(items); i++) {
                PyObject *pair = PyList_GET_ITEM(items, i), *k, *v, *name;
                if (!PyTuple_Check(pair) || PyTuple_GET_SIZE(pair) != 2) {
                    PyErr_SetString(PyExc_ValueError, "items() gave a non-pair");
                    Py_XDECREF(env_name);
                    goto fail;
                }
                k = PyTuple_GET_ITEM(pair, 0);
                v = PyTuple_GET_ITEM(pair, 1);
                if (PyUnicode_Check(v)) {
                    int is_value = env_name != NULL && PyUnicode_Check(env_name)
                        ? PyObject_RichCompareBool(k, S_value, Py_EQ) : 0;
                    if (is_value < 0) {
                        Py_XDECREF(env_name);
                        goto fail;
                    }
                    name = is_value ? Py_NewRef(env_name) : PyObject_Str(k);
                    PyObject *t = name ? PyTuple_Pack(4, node, k, v, name) : NULL;
                    Py_XDECREF(name);
                    if (t == NULL || PyList_Append(out, t) < 0) {
                        Py_XDECREF(t);
                        Py_XDECREF(env_name);
                        goto fail;
                    }
                    Py_DECREF(t);
                } else if (is_container(v) && PyList_Append(stack, v) < 0) {
                    Py_XDECREF(env_name);
                    goto fail;
                }
            }
            Py_XDECREF(env_name);
            Py_CLEAR(items);
        } else if (PyList_Check(node)) {
            items = seq_items(node);
            if (items == NULL)
                goto fail;
            for (Py_ssize_t i = 0; i < PyList_GET_SIZE(items); i++) {
                PyObject *v = PyList_GET_ITEM(items, i);
                if (PyUnicode_Check(v)) {
                    PyObject *index = PyLong_FromSsize_t(i);
                    PyObject *t = index ? PyTuple_Pack(4, node, index, v, Py_None) : NULL;
                    Py_XDECREF(index);
                    if (t == NULL || PyList_Append(out, t) < 0) {
                        Py_XDECREF(t);
                        goto fail;
                    }
                    Py_DECREF(t);
                } else if (is_container(v) && PyList_Append(stack, v) < 0) {
                    goto fail;
                }
            }
            Py_CLEAR(items);
        }
        Py_CLEAR(node);
    }
    Py_DECREF(stack);
    Py_DECREF(seen);
    return out;
fail:
    Py_XDECREF(node);
    Py_XDECREF(items);
    Py_XDECREF(out);
    Py_XDECREF(stack);
    Py_XDECREF(seen);
    return NULL;
}

/* findings._Walk.reach, on the walk's state: (parents, stack, limit, target) ->
 * (found, limit left). Pops (value, parent id, key) from ``stack``, records id(value) ->
 * (parent id, key) in ``parents`` for each container met first, and pushes its container
 * children; stops at ``target`` (an id) or when ``limit`` values have been popped. */
static PyObject *reach(PyObject *self, PyObject *const *args, Py_ssize_t nargs)
{
    Py_ssize_t limit;
    if (nargs != 4 || !PyDict_Check(args[0]) || !PyList_Check(args[1])
            || (limit = PyLong_AsSsize_t(args[2])) == -1) {
        if (!PyErr_Occurred())
            PyErr_SetString(PyExc_TypeError, "reach(parents: dict, stack: list, limit, target)");
        return NULL;
    }
    PyObject *parents = args[0], *stack = args[1], *target = args[3];
    int found = PyDict_Contains(parents, target);
    if (found != 0)
        return found < 0 ? NULL : Py_BuildValue("(On)", Py_True, limit);
    while (PyList_GET_SIZE(stack) > 0 && limit > 0) {
        PyObject *entry = pop_last(stack);
        if (entry == NULL)
            return NULL;
        limit--;
        if (!PyTuple_Check(entry) || PyTuple_GET_SIZE(entry) != 3) {
            PyErr_SetString(PyExc_ValueError, "reach: a stack entry is not (value, parent, key)");
            Py_DECREF(entry);
            return NULL;
        }
        PyObject *value = PyTuple_GET_ITEM(entry, 0);
        if (!is_container(value)) {
            Py_DECREF(entry);
            continue;
        }
        PyObject *vid = PyLong_FromVoidPtr(value);
        int known = vid ? PyDict_Contains(parents, vid) : -1;
        PyObject *link = known == 0 ? PyTuple_Pack(2, PyTuple_GET_ITEM(entry, 1),
                                                   PyTuple_GET_ITEM(entry, 2)) : NULL;
        if (known != 0 || link == NULL || PyDict_SetItem(parents, vid, link) < 0) {
            Py_XDECREF(link);
            Py_XDECREF(vid);
            Py_DECREF(entry);
            if (known == 1)
                continue;
            return NULL;
        }
        Py_DECREF(link);
        int dict = PyDict_Check(value);
        PyObject *items = dict ? map_items(value) : seq_items(value);
        int rc = items == NULL ? -1 : 0;
        for (Py_ssize_t i = 0; rc == 0 && i < PyList_GET_SIZE(items); i++) {
            PyObject *k, *v, *index = NULL;
            if (dict) {
                PyObject *pair = PyList_GET_ITEM(items, i);
                if (!PyTuple_Check(pair) || PyTuple_GET_SIZE(pair) != 2) {
                    PyErr_SetString(PyExc_ValueError, "items() gave a non-pair");
                    rc = -1;
                    break;
                }
                k = PyTuple_GET_ITEM(pair, 0);
                v = PyTuple_GET_ITEM(pair, 1);
            } else {
                v = PyList_GET_ITEM(items, i);
                k = index = PyLong_FromSsize_t(i);
                if (index == NULL) {
                    rc = -1;
                    break;
                }
            }
            if (is_container(v)) {
                PyObject *t = PyTuple_Pack(3, v, vid, k);
                rc = t == NULL ? -1 : PyList_Append(stack, t);
                Py_XDECREF(t);
            }
            Py_XDECREF(index);
        }
        Py_XDECREF(items);
        int hit = rc == 0 ? PyObject_RichCompareBool(vid, target, Py_EQ) : -1;
        Py_DECREF(vid);
        Py_DECREF(entry);
        if (hit < 0)
            return NULL;
        if (hit)
            return Py_BuildValue("(On)", Py_True, limit);
    }
    return Py_BuildValue("(On)", Py_False, limit);
}

/* findings._path_of(parents, vid): ``a.b[2].c``, from the root down to the container. */
static PyObject *path_of(PyObject *self, PyObject *const *args, Py_ssize_t nargs)
{
    if (nargs != 2 || !PyDict_Check(args[0])) {
        PyErr_SetString(PyExc_TypeError, "path_of(parents: dict, vid)");
        return NULL;
    }
    PyObject *parents = args[0], *steps = PyList_New(0), *vid = Py_NewRef(args[1]);
    PyObject *path = NULL;
    if (steps == NULL)
        goto fail;
    for (;;) {
        PyObject *link = PyDict_GetItemWithError(parents, vid);
        if (link == NULL) {
            if (!PyErr_Occurred())
                PyErr_SetObject(PyExc_KeyError, vid);
            goto fail;
        }
        if (!PyTuple_Check(link) || PyTuple_GET_SIZE(link) != 2) {
            PyErr_SetString(PyExc_ValueError, "path_of: a link is not (parent, key)");
            goto fail;
        }
        PyObject *parent = PyTuple_GET_ITEM(link, 0);
        int root = PyObject_RichCompareBool(parent, MinusOne, Py_EQ);
        if (root < 0)
            goto fail;
        if (root)
            break;
        if (PyList_Append(steps, PyTuple_GET_ITEM(link, 1)) < 0)
            goto fail;
        Py_SETREF(vid, Py_NewRef(parent));
    }
    path = Py_NewRef(S_empty);
    for (Py_ssize_t i = PyList_GET_SIZE(steps) - 1; i >= 0; i--) {
        PyObject *key = PyList_GET_ITEM(steps, i), *next;
        int index = PyLong_Check(key);
        if (index || PyUnicode_GET_LENGTH(path) > 0) {  /* f"{path}[{key}]", f"{path}.{key}" */
            PyObject *text = PyObject_Format(key, S_empty);
            next = text == NULL ? NULL : index ? PyUnicode_FromFormat("%U[%U]", path, text)
                                               : PyUnicode_FromFormat("%U.%U", path, text);
            Py_XDECREF(text);
        } else {
            next = PyObject_Str(key);
        }
        if (next == NULL)
            goto fail;
        Py_SETREF(path, next);
    }
    Py_DECREF(steps);
    Py_DECREF(vid);
    return path;
fail:
    Py_XDECREF(path);
    Py_XDECREF(steps);
    Py_DECREF(vid);
    return NULL;
}

static PyMethodDef methods[] = {
    {"configure", configure, METH_VARARGS, "configure(Ref, WILD)"},
    {"follow", (PyCFunction)(void (*)(void))follow, METH_FASTCALL,
     "follow(value, ref, segments) -> (found, value, ref)"},
    {"select_raw", (PyCFunction)(void (*)(void))select_raw, METH_FASTCALL,
     "select_raw(root, segments) -> (hits, missed)"},
    {"select", (PyCFunction)(void (*)(void))select_, METH_FASTCALL,
     "select(root, root_ref, segments) -> (hits, misses)"},
    {"strings", (PyCFunction)(void (*)(void))strings, METH_FASTCALL,
     "strings(body, limit) -> [(container, key, text, name)]"},
    {"reach", (PyCFunction)(void (*)(void))reach, METH_FASTCALL,
     "reach(parents, stack, limit, target) -> (found, limit)"},
    {"path_of", (PyCFunction)(void (*)(void))path_of, METH_FASTCALL,
     "path_of(parents, vid) -> str"},
    {NULL, NULL, 0, NULL},
};

static struct PyModuleDef module = {
    PyModuleDef_HEAD_INIT, "_fastwalk",
    "The engine's walks over parsed documents, in C (see scanner/engine/_fastwalk.c).", -1,
    methods, NULL, NULL, NULL, NULL,
};

PyMODINIT_FUNC PyInit__fastwalk(void)
{
    PlainTypes = PyDict_New();
    S_value = PyUnicode_InternFromString("value");
    S_name = PyUnicode_InternFromString("name");
    S_items = PyUnicode_InternFromString("items");
    S_get = PyUnicode_InternFromString("get");
    S_empty = PyUnicode_FromString("");
    MinusOne = PyLong_FromLong(-1);
    if (!PlainTypes || !S_value || !S_name || !S_items || !S_get || !S_empty || !MinusOne)
        return NULL;
    return PyModule_Create(&module);
}
