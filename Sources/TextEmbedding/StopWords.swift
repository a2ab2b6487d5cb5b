/// Function words that are never interest terms on their own, in English and Chinese.
public enum StopWords {
    public static let english: Set<String> = [
        "a", "about", "above", "after", "again", "against", "all", "also", "am", "an", "and", "any", "are", "as", "at",
        "be", "because", "been", "before", "being", "below", "between", "both", "but", "by", "can", "could", "did", "do",
        "does", "doing", "don", "down", "during", "each", "even", "ever", "every", "few", "for", "from", "further", "get",
        "got", "had", "has", "have", "having", "he", "her", "here", "hers", "herself", "him", "himself", "his", "how", "i",
        "if", "in", "into", "is", "it", "its", "itself", "just", "let", "ll", "me", "might", "more", "most", "much", "must",
        "my", "myself", "no", "nor", "not", "now", "of", "off", "on", "once", "one", "only", "or", "other", "our", "ours",
        "ourselves", "out", "over", "own", "re", "s", "same", "she", "should", "so", "some", "such", "t", "than", "that",
        "the", "their", "theirs", "them", "themselves", "then", "there", "these", "they", "this", "those", "through", "to",
        "too", "under", "until", "up", "us", "ve", "very", "was", "we", "were", "what", "when", "where", "which", "while",
        "who", "whom", "why", "will", "with", "would", "you", "your", "yours", "yourself", "yourselves", "m", "d", "didn",
        "doesn", "isn", "wasn", "weren", "won", "wouldn", "couldn", "shouldn", "aren", "hasn", "haven", "hadn", "ain",
        "im", "ive", "it's", "i'm", "i've", "don't", "dont", "really", "still", "though", "yet", "may", "another", "since",
        "way", "well", "back", "around", "within", "without", "us", "via", "per", "etc", "ok", "okay", "yes",
    ]

    public static let chinese: Set<String> = [
        "的", "了", "是", "我", "你", "他", "她", "它", "们", "我们", "你们", "他们", "这", "那", "这个", "那个", "一个", "也",
        "都", "就", "还", "很", "非常", "比较", "有点", "有些", "一些", "一下", "一点", "没有", "不是", "就是", "还是", "但是",
        "而且", "因为", "所以", "如果", "虽然", "可以", "可能", "已经", "自己", "什么", "怎么", "这样", "那样", "这么", "那么",
        "还有", "以后", "之后", "之前", "时候", "感觉", "觉得", "真的", "确实", "其实", "然后", "不过", "而", "和", "与", "及",
        "或", "在", "把", "被", "给", "对", "从", "到", "为", "以", "吧", "吗", "呢", "啊", "哦", "嗯", "呀", "啦", "得",
        "地", "着", "过", "又", "再", "才", "只", "会", "要", "能", "让", "用", "买", "买了", "东西", "一次", "一直", "一样",
        "一般", "一定", "不错", "好", "很好", "不好", "挺", "太", "最", "更", "总之", "反正", "而已", "这次", "上次", "下次",
    ]

    public static func contains(_ word: String) -> Bool {
        english.contains(word) || chinese.contains(word)
    }
}
