"""Word lists for source attribution: reporting verbs and nouns, channels, kinds of sources.

Everything is a frozenset built once at import; lookups are by lower-case lemma or text.
"""

from __future__ import annotations


def _words(text: str) -> frozenset[str]:
    return frozenset(text.split())


# Verbs of saying and reporting: "X said (that) ...", '"...", X added'.
SPEECH_VERBS: frozenset[str] = _words("""
say tell add claim argue warn report announce insist deny explain note state write
acknowledge suggest declare assert maintain contend allege admit concede confirm reveal
disclose stress emphasize emphasise reiterate repeat comment remark observe mention
testify recall reply respond answer retort counter continue conclude predict promise
pledge vow threaten urge caution complain lament boast brag joke quip muse
tweet post blog swear assure reassure inform notify brief
ask question wonder demand propose recommend advise agree disagree concur estimate
speculate project forecast hint imply indicate signal point charge accuse criticize
criticise blast slam praise tout champion defend dismiss reject refute rebut dispute
contest challenge describe characterize characterise call label brand dub term
shout yell scream whisper mutter murmur exclaim cry plead beg sigh laugh chuckle
cite quote tell relate recount narrate recount underline underscore highlight flag
caution warn alert advertise proclaim pronounce certify attest affirm aver avow
guarantee concede grant volunteer offer chime interject interrupt begin start go
""")

# Verbs of thinking, believing and finding, which also introduce attributed content.
COGNITION_VERBS: frozenset[str] = _words("""
believe think feel fear hope worry expect suspect doubt know understand realize
realise recognize recognise assume presume guess figure reckon conclude decide
find determine discover learn hear read see show suggest indicate reveal demonstrate
prove confirm establish imply mean estimate calculate project anticipate predict
insist wish want
""")

# Verbs whose "to"-infinitive is the attributed content: "vowed to retake", "urged X to".
INFINITIVE_VERBS: frozenset[str] = _words("""
promise pledge vow threaten swear vow urge call plan intend refuse decline offer
""")

# Cognition verbs accepted only with an explicit clausal complement and a real subject.
WEAK_VERBS: frozenset[str] = _words("""
see know find hear read learn mean show want wish decide figure determine understand
realize realise recognize recognise establish prove continue begin start go grant offer
ask call label brand dub term point charge question answer counter challenge
""")

# Nouns that introduce content: "his claim that ...", "the ministry's statement that ...".
SPEECH_NOUNS: frozenset[str] = _words("""
statement announcement claim assertion allegation warning report brief briefing
comment remark suggestion insistence argument contention admission acknowledgment
acknowledgement denial declaration promise pledge vow threat prediction estimate
belief view fear hope concern suspicion conclusion finding
""")

# Subjects that are documents or publications standing for their authors: "the update said".
DOCUMENT_HEADS: frozenset[str] = _words("""
update brief briefing report statement announcement release communique communiqué
bulletin assessment analysis study survey poll document memo letter filing complaint
indictment lawsuit ruling decision order post tweet message video broadcast
""")

# Head nouns of organisations: "the ministry said", "the army reported".
ORG_HEADS: frozenset[str] = _words("""
ministry government army military navy force forces police office agency department
committee council commission campaign company firm corporation bank kremlin authority
authorities administration cabinet parliament congress senate court party embassy
service services command headquarters staff coalition alliance union group organisation
organization institute foundation center centre university council regime state
prosecutor prosecutors intelligence team club league federation board bureau secretariat mission
operator utility network
""")

# Head nouns of news media: "the TASS news agency reported".
MEDIA_HEADS: frozenset[str] = _words("""
newspaper paper daily tabloid magazine outlet broadcaster channel station network
television tv radio media press wire website site portal agency agencies news
""")

# Well-known news organisations (lower case, as written).
MEDIA_NAMES: frozenset[str] = _words("""
ap afp reuters tass ria interfax ukrinform unian bloomberg cnn bbc nbc cbs abc fox
msnbc npr pbs dpa efe ansa xinhua kyodo yonhap aljazeera politico axios vox
breitbart huffpost huffington buzzfeed guardian telegraph independent times post
journal economist newsweek time atlantic gazette tribune herald chronicle observer
dw rt sputnik izvestia kommersant vedomosti meduza interfax-ukraine getty epa
""")

# Head nouns of anonymous sources: "officials said", "a source familiar with".
UNNAMED_HEADS: frozenset[str] = _words("""
official officials source sources people person someone somebody insider insiders
expert experts analyst analysts observer observers witness witnesses resident residents
diplomat diplomats aide aides critic critics supporter supporters member members
lawmaker lawmakers legislator legislators activist activists observer others some many
few several most voter voters everyone anyone investigator investigators
""")

# Head nouns of people: "the spokesperson said" (resolves to an earlier person).
PERSON_HEADS: frozenset[str] = _words("""
spokesperson spokesman spokeswoman president minister secretary governor mayor senator
congressman congresswoman representative chief director chairman chairwoman chair
leader commander general ambassador envoy prime premier chancellor candidate nominee
judge lawyer attorney ceo founder head adviser advisor economist professor author
writer reporter correspondent host anchor pope king queen prince sheriff officer
""")

# Channels a statement came through: "on Telegram", "to Ukrainian television".
CHANNEL_WORDS: frozenset[str] = _words("""
telegram twitter x facebook instagram youtube tiktok vk vkontakte weibo wechat
truth threads linkedin reddit substack television tv radio website blog podcast
broadcast interview newspaper channel media radio-television
""")

PERSON_PRONOUNS: frozenset[str] = frozenset({"he", "she", "him", "her"})
GROUP_PRONOUNS: frozenset[str] = frozenset({"it", "they", "them"})
RELATIVE_PRONOUNS: frozenset[str] = frozenset({"who", "which", "that", "whom"})
FIRST_PERSON: frozenset[str] = frozenset({"i", "we", "me", "us", "you"})

# Titles dropped when matching a surname to an earlier full name.
TITLES: frozenset[str] = _words("""
mr mr. mrs mrs. ms ms. dr dr. sen sen. rep rep. gov gov. gen gen. president senator
governor minister spokesperson spokesman spokeswoman secretary prof prof. sir lady lord
""")

ALL_VERBS: frozenset[str] = SPEECH_VERBS | COGNITION_VERBS

# Verbs whose noun-phrase object is the attributed content: "Clinton cited his remarks",
# "she called the ruling a disgrace", "the ministry denied the reports".
OBJECT_VERBS: frozenset[str] = _words("""
cite mention call criticize criticise condemn denounce praise blast slam question
dispute deny reject describe propose endorse demand announce report reveal
disclose note acknowledge tweet admit predict recommend urge oppose applaud welcome
hail laud decry lambast rebuke chastise accuse blame dismiss tout repeat echo
liken compare characterize characterise label dub brand term insist request suggest
highlight stress emphasize emphasise underscore outline detail concede claim allege
support back endorse defend discuss address reference tout promote unveil publish
favor favour advocate champion mock ridicule deride denounce lament regret
""")

# Verb + preposition whose object is the content: "called for X", "warned against X".
# Topics are not statements: "referred to the regions", "spoke about his flights",
# "commented on the delay" say what was talked about, not what was said.
PREP_VERBS: frozenset[tuple[str, str]] = frozenset({
    ("call", "for"), ("warn", "against"), ("warn", "of"), ("warn", "about"),
    ("point", "to"), ("complain", "about"), ("insist", "on"),
    ("argue", "for"), ("argue", "against"), ("push", "for"), ("advocate", "for"),
    ("press", "for"), ("express", "concern"),
})

# Verbs whose "to"-infinitive states an aim: "Clinton wants to sign up 5 million people".
AIM_VERBS: frozenset[str] = _words("""
want plan hope seek intend aim propose promise pledge vow threaten refuse decline
offer urge call vote expect
""")

# Stance, judgment, topic and evidence verbs (FrameNet Judgment_communication, Taking_sides,
# Topic, Evidence, Attempt_suasion) whose object is the attributed content:
# "the senator attacked the ruling", "the union backed the plan", "polls show a tie".
STANCE_VERBS: frozenset[str] = _words("""
attack assail castigate berate scold fault commend congratulate thank credit salute censure
ridicule lambaste excoriate skewer pan bash chide admonish
support back favor favour oppose embrace resist sponsor reaffirm
invoke float broach debate examine review weigh investigate probe
revisit explore downplay ignore acknowledge
illustrate document demonstrate confirm indicate show
encourage implore advise persuade
sign issue file rule
""")

# Verbs of persuasion whose object and "to"-infinitive are the content: "urged X to go".
SUASION_VERBS: frozenset[str] = _words("""
urge encourage implore invite advise instruct order direct persuade pressure ask beg tell
press push challenge call warn remind
""")
